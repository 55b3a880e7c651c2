import { z } from "zod";

const ms = (def: number) => z.number().int().min(1).default(def);

/** Limits; each one is enforced (docs/protocol-channels.md, "Limits"). */
const limitsSchema = z
  .object({
    /** Largest accepted frame in bytes; larger closes with 1009. @default 65536 */
    maxFrameBytes: z.number().int().min(1024).default(64 * 1024),
    /** Sustained inbound frames per second per connection (token bucket rate). @default 50 */
    messagesPerSecond: z.number().positive().default(50),
    /** Token bucket size: frames a connection may send in a burst. @default 100 */
    messageBurst: z.number().int().min(1).default(100),
    /** Frames refused for rate in a row before the connection is closed (1008). @default 20 */
    rateLimitStrikes: z.number().int().min(1).default(20),
    /** Open connections per user on this node. @default 100 */
    maxConnectionsPerUser: z.number().int().min(1).default(100),
    /** How often the server pings each socket. @default 25000 */
    pingIntervalMs: ms(25_000),
    /** Close a socket that sent nothing (not even a pong) for this long. @default 60000 */
    idleTimeoutMs: ms(60_000),
    /** Channels one connection may hold. @default 128 */
    maxSubscriptionsPerConnection: z.number().int().min(1).default(128),
    /** Bytes queued for one socket before it is closed as a slow consumer (1013). @default 4194304 */
    maxBufferedBytes: z.number().int().min(1024).default(4 * 1024 * 1024),
    /** Time a socket without a token has to send its auth message. @default 10000 */
    authTimeoutMs: ms(10_000),
    /** Time after token expiry to send a fresh token before the socket is closed. @default 30000 */
    tokenExpiryGraceMs: ms(30_000),
  })
  .strict();

const historySchema = z
  .object({
    /** Publications kept per channel. @default 200 */
    size: z.number().int().min(0).default(200),
    /** How long a publication stays in history. @default 600000 (10 min) */
    ttlMs: ms(600_000),
    /** How long an idle channel's epoch and offset are remembered. @default 86400000 (24 h) */
    metaTtlMs: ms(86_400_000),
  })
  .strict();

const brokerSchema = z
  .object({
    /** `memory` (one process) or `redis` (several nodes share channels, history, presence and counters). @default "memory" */
    engine: z.enum(["memory", "redis"]).default("memory"),
    /** Redis to connect to when `engine` is `redis`. @default "redis://127.0.0.1:6379" */
    redisUrl: z.string().regex(/^rediss?:\/\//, "expected a redis:// or rediss:// URL").default("redis://127.0.0.1:6379"),
    /** Prefix of every Redis key and pub/sub channel; nodes of one deployment use the same. @default "livegate:" */
    keyPrefix: z.string().default("livegate:"),
  })
  .strict();

const storeSchema = z
  .object({
    /** `sqlite` (one file in the data dir, one node) or `postgres` (several nodes share the store). @default "sqlite" */
    engine: z.enum(["sqlite", "postgres"]).default("sqlite"),
    /** PostgreSQL to connect to when `engine` is `postgres`. @default "postgres://postgres@127.0.0.1:5432/test" */
    postgresUrl: z.string().regex(/^postgres(ql)?:\/\//, "expected a postgres:// or postgresql:// URL").default("postgres://postgres@127.0.0.1:5432/test"),
    /** PostgreSQL connections per node. @default 10 */
    poolSize: z.number().int().min(1).max(1000).default(10),
    /** PostgreSQL schema holding livegate's tables (created if missing); nodes of one deployment use the same. @default "public" */
    postgresSchema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "expected a lower-case SQL identifier").default("public"),
  })
  .strict();

const authSchema = z
  .object({
    /** HS256 secret. */
    jwtSecret: z.string().min(16).optional(),
    /** PEM public key (RSA → RS256, EC P-256 → ES256). */
    jwtPublicKey: z.string().optional(),
    /** JWKS URL (RS256/ES256 keys). */
    jwksUrl: z.url().optional(),
    /** Required `iss`, if set. */
    issuer: z.string().optional(),
    /** Required `aud`, if set. */
    audience: z.string().optional(),
    /** Key that backends present for the REST publish API. */
    apiKey: z.string().min(16).optional(),
  })
  .strict();

const scenarioSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
    description: z.string().min(1),
    /** Lower-case words or word prefixes; matching ones raise the scenario's confidence. */
    keywords: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type ScenarioOptions = z.output<typeof scenarioSchema>;

/** Scenarios CodeGraph's router chooses from when no `scenario_id` is given; `general` is the fallback. */
export const DEFAULT_SCENARIOS: ScenarioOptions[] = [
  {
    id: "security_audit",
    description: "Security audit: find vulnerabilities such as injections, overflows and unsafe calls.",
    keywords: ["vulnerab", "secur", "inject", "sql", "xss", "overflow", "exploit", "cve", "unsafe", "уязвим", "инъекц", "безопас", "переполн"],
  },
  {
    id: "code_search",
    description: "Code search: locate functions, classes, call sites and usages.",
    keywords: ["find", "search", "where", "usage", "call", "function", "class", "method", "найд", "найти", "поиск", "где", "функц", "класс", "метод"],
  },
  {
    id: "architecture",
    description: "Architecture: explain modules, dependencies and data flow.",
    keywords: ["architect", "design", "module", "depend", "structure", "flow", "архитект", "модул", "завис", "структур"],
  },
  { id: "general", description: "General questions about the code base.", keywords: [] },
];

const chatSchema = z
  .object({
    /** OpenAI-compatible base URL (e.g. http://localhost:11434/v1); absent = the embedded engine. */
    baseUrl: z.url().optional(),
    /** API key for that server. */
    apiKey: z.string().optional(),
    /** Default model name. @default "gpt-4o-mini" for OpenAI-compatible servers */
    model: z.string().optional(),
    /** More models clients may pick (e.g. UnaCODE's metadata.model); the default model is always allowed. */
    models: z.array(z.string()).default([]),
    /** Longest silence from the model server, before the answer starts and between chunks. @default 60000 */
    timeoutMs: ms(60_000),
    /** Earlier messages of a session sent with each query. @default 20 */
    contextMessages: z.number().int().min(0).default(20),
    scenarios: z.array(scenarioSchema).min(1).default(DEFAULT_SCENARIOS),
    /**
     * Embeddings model of an OpenAI-compatible server (e.g. `text-embedding-3-small`); unset = no embeddings
     * (TrustGraph's `embeddings` service answers `not-configured`).
     */
    embeddingsModel: z.string().min(1).optional(),
    /** Server for embeddings. @default chat.baseUrl */
    embeddingsBaseUrl: z.url().optional(),
    /** API key for the embeddings server. @default chat.apiKey */
    embeddingsApiKey: z.string().optional(),
    /** Price per 1,000 tokens by model name, for cost tracking. @default {} */
    prices: z.record(z.string(), z.object({ input: z.number().min(0), output: z.number().min(0) }).strict()).default({}),
  })
  .strict();

const codegraphSchema = z
  .object({
    /** Period of the dashboard socket's `heartbeat` (`/api/v2/dashboard/ws`); sent as `heartbeat_seconds`. @default 15000 */
    dashboardHeartbeatMs: ms(15_000),
  })
  .strict();

const unacodeSchema = z
  .object({
    /**
     * Port of UnaCODE's own listener (the seed's `ws://localhost:8765`), on the same host: every
     * WebSocket upgrade on it is UnaCODE, whatever the path. 0 picks a free port. @default undefined (none)
     */
    port: z.number().int().min(0).max(65535).optional(),
    /** `send_message` requests per user per clock minute, counted on the broker (cluster-wide); 0 = no limit. @default 30 */
    chatRequestsPerMinute: z.number().int().min(0).default(30),
  })
  .strict();

const trustgraphSchema = z
  .object({
    /**
     * Port of TrustGraph's own listener (the seed's `ws://localhost:8088/api/v1/socket`): every WebSocket
     * upgrade on it is the TrustGraph socket, whatever the path. 0 picks a free port. @default undefined (none)
     */
    port: z.number().int().min(0).max(65535).optional(),
    /**
     * Gateway secret: when set, the socket and the REST twins need a token, this secret or any valid
     * livegate JWT. @default undefined (open, as the seed says)
     */
    gatewaySecret: z.string().min(1).optional(),
    /** Requests running at once per socket (the real server's 15); later ones wait. @default 15 */
    maxInFlight: z.number().int().min(1).default(15),
    /** Requests waiting per socket beyond the running ones; more are refused (`too-many-requests`). @default 1000 */
    maxQueued: z.number().int().min(0).default(1000),
    /** Largest frame of the TrustGraph socket (base64 documents); larger closes with 1009. @default 16777216 */
    maxFrameBytes: z.number().int().min(1024).default(16 * 1024 * 1024),
    /** Default output spelling of protocol keys: the seed's `hyphen` or the real server's `underscore`. @default "hyphen" */
    spelling: z.enum(["hyphen", "underscore"]).default("hyphen"),
  })
  .strict();

export const gatewayOptionsSchema = z
  .object({
    /** Listen address; `localhost` listens on 127.0.0.1 and ::1. @default "localhost" */
    host: z.string().min(1).default("localhost"),
    /** HTTP/WebSocket port; 0 picks a free one. @default 8000 */
    port: z.number().int().min(0).max(65535).default(8000),
    /** Where the SQLite file and generated development secrets live. @default ".livegate" */
    dataDir: z.string().min(1).default(".livegate"),
    /** pino log level. @default "warn" */
    logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("warn"),
    auth: authSchema.prefault({}),
    limits: limitsSchema.prefault({}),
    history: historySchema.prefault({}),
    broker: brokerSchema.prefault({}),
    store: storeSchema.prefault({}),
    chat: chatSchema.prefault({}),
    codegraph: codegraphSchema.prefault({}),
    unacode: unacodeSchema.prefault({}),
    trustgraph: trustgraphSchema.prefault({}),
    /** Presence entries expire unless refreshed within this time. @default 60000 */
    presenceTtlMs: ms(60_000),
  })
  .strict();

/** Options a caller may give `createServer`; every field is optional. */
export type GatewayOptionsInput = z.input<typeof gatewayOptionsSchema>;
/** Options after defaults and validation. */
export type GatewayOptions = z.output<typeof gatewayOptionsSchema>;
/** Resolved chat options. */
export type ChatOptions = GatewayOptions["chat"];
/** Resolved broker options. */
export type BrokerOptions = GatewayOptions["broker"];
/** Resolved store options. */
export type StoreOptions = GatewayOptions["store"];
/** Resolved limits. */
export type LimitOptions = GatewayOptions["limits"];

/**
 * Merges defaults and validates. Throws a TypeError naming each bad or unknown option.
 */
export function resolveOptions(input: GatewayOptionsInput = {}): GatewayOptions {
  const parsed = gatewayOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((i) => `${i.path.join(".") || "(options)"}: ${i.message}`)
      .join("; ");
    throw new TypeError(`invalid livegate options: ${detail}`);
  }
  const o = parsed.data;
  const keySources = [o.auth.jwtSecret, o.auth.jwtPublicKey, o.auth.jwksUrl].filter(Boolean).length;
  if (keySources > 1) {
    throw new TypeError("invalid livegate options: auth: give only one of jwtSecret, jwtPublicKey, jwksUrl");
  }
  if (o.limits.idleTimeoutMs <= o.limits.pingIntervalMs) {
    throw new TypeError("invalid livegate options: limits.idleTimeoutMs must be greater than limits.pingIntervalMs");
  }
  return o;
}
