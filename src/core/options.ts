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
    /** Presence entries expire unless refreshed within this time. @default 60000 */
    presenceTtlMs: ms(60_000),
  })
  .strict();

/** Options a caller may give `createServer`; every field is optional. */
export type GatewayOptionsInput = z.input<typeof gatewayOptionsSchema>;
/** Options after defaults and validation. */
export type GatewayOptions = z.output<typeof gatewayOptionsSchema>;
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
