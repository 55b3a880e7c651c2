import type { GatewayOptionsInput } from "../core/options.js";

type Kind = "int" | "number" | "string" | "json";

/** One configuration setting: its flag, its environment variables, and where it goes in the options. */
export interface Setting {
  flag: string;
  env: readonly string[];
  path: readonly string[];
  kind: Kind;
  help: string;
}

const s = (flag: string, env: string | string[], path: string, kind: Kind, help: string): Setting => ({
  flag,
  env: Array.isArray(env) ? env : [env],
  path: path.split("."),
  kind,
  help,
});

/** Every setting of `livegate serve`; the README's configuration table lists the same rows. */
export const SETTINGS: readonly Setting[] = [
  s("port", ["LIVEGATE_PORT", "PORT"], "port", "int", "HTTP/WebSocket port (default 8000)"),
  s("host", "LIVEGATE_HOST", "host", "string", "listen address; localhost = 127.0.0.1 and ::1 (default localhost)"),
  s("data-dir", "LIVEGATE_DATA_DIR", "dataDir", "string", "SQLite file and development secrets (default .livegate)"),
  s("log-level", "LIVEGATE_LOG_LEVEL", "logLevel", "string", "fatal|error|warn|info|debug|trace|silent (default warn)"),
  s("jwt-secret", "LIVEGATE_JWT_SECRET", "auth.jwtSecret", "string", "HS256 secret (16+ chars)"),
  s("jwt-public-key", "LIVEGATE_JWT_PUBLIC_KEY", "auth.jwtPublicKey", "string", "PEM public key, RSA (RS256) or EC P-256 (ES256)"),
  s("jwks-url", "LIVEGATE_JWKS_URL", "auth.jwksUrl", "string", "JWKS URL (RS256/ES256)"),
  s("jwt-issuer", "LIVEGATE_JWT_ISSUER", "auth.issuer", "string", "required iss claim"),
  s("jwt-audience", "LIVEGATE_JWT_AUDIENCE", "auth.audience", "string", "required aud claim"),
  s("api-key", "LIVEGATE_API_KEY", "auth.apiKey", "string", "API key for REST publishing (16+ chars)"),
  s("max-frame-bytes", "LIVEGATE_MAX_FRAME_BYTES", "limits.maxFrameBytes", "int", "largest inbound frame, close 1009 (default 65536)"),
  s("messages-per-second", "LIVEGATE_MESSAGES_PER_SECOND", "limits.messagesPerSecond", "number", "inbound frames/s per connection (default 50)"),
  s("message-burst", "LIVEGATE_MESSAGE_BURST", "limits.messageBurst", "int", "inbound burst per connection (default 100)"),
  s("rate-limit-strikes", "LIVEGATE_RATE_LIMIT_STRIKES", "limits.rateLimitStrikes", "int", "refused frames in a row before close 1008 (default 20)"),
  s("max-connections-per-user", "LIVEGATE_MAX_CONNECTIONS_PER_USER", "limits.maxConnectionsPerUser", "int", "per node (default 100)"),
  s("ping-interval-ms", "LIVEGATE_PING_INTERVAL_MS", "limits.pingIntervalMs", "int", "server ping period (default 25000)"),
  s("idle-timeout-ms", "LIVEGATE_IDLE_TIMEOUT_MS", "limits.idleTimeoutMs", "int", "close after this long without a frame or pong (default 60000)"),
  s("max-subscriptions", "LIVEGATE_MAX_SUBSCRIPTIONS", "limits.maxSubscriptionsPerConnection", "int", "channels per connection (default 128)"),
  s("max-buffered-bytes", "LIVEGATE_MAX_BUFFERED_BYTES", "limits.maxBufferedBytes", "int", "send buffer per connection before close 1013 (default 4194304)"),
  s("auth-timeout-ms", "LIVEGATE_AUTH_TIMEOUT_MS", "limits.authTimeoutMs", "int", "time to send an auth message (default 10000)"),
  s("token-expiry-grace-ms", "LIVEGATE_TOKEN_EXPIRY_GRACE_MS", "limits.tokenExpiryGraceMs", "int", "time to refresh an expired token (default 30000)"),
  s("history-size", "LIVEGATE_HISTORY_SIZE", "history.size", "int", "publications kept per channel (default 200)"),
  s("history-ttl-ms", "LIVEGATE_HISTORY_TTL_MS", "history.ttlMs", "int", "age limit of history (default 600000)"),
  s("broker", "LIVEGATE_BROKER", "broker.engine", "string", "memory|redis: redis lets several nodes share channels (default memory)"),
  s("redis-url", "LIVEGATE_REDIS_URL", "broker.redisUrl", "string", "Redis for --broker redis (default redis://127.0.0.1:6379)"),
  s("redis-key-prefix", "LIVEGATE_REDIS_KEY_PREFIX", "broker.keyPrefix", "string", "prefix of livegate's Redis keys and channels (default livegate:)"),
  s("store", "LIVEGATE_STORE", "store.engine", "string", "sqlite|postgres: postgres lets several nodes share the store (default sqlite)"),
  s("postgres-url", "LIVEGATE_POSTGRES_URL", "store.postgresUrl", "string", "PostgreSQL for --store postgres (default postgres://postgres@127.0.0.1:5432/test)"),
  s("postgres-pool-size", "LIVEGATE_POSTGRES_POOL_SIZE", "store.poolSize", "int", "PostgreSQL connections per node (default 10)"),
  s("postgres-schema", "LIVEGATE_POSTGRES_SCHEMA", "store.postgresSchema", "string", "schema of livegate's tables, created if missing (default public)"),
  s("presence-ttl-ms", "LIVEGATE_PRESENCE_TTL_MS", "presenceTtlMs", "int", "presence entry lifetime (default 60000)"),
  s("llm-base-url", "LIVEGATE_LLM_BASE_URL", "chat.baseUrl", "string", "OpenAI-compatible server for chat; unset = embedded engine"),
  s("llm-api-key", "LIVEGATE_LLM_API_KEY", "chat.apiKey", "string", "API key for that server"),
  s("llm-model", "LIVEGATE_LLM_MODEL", "chat.model", "string", "default model name"),
  s("llm-models", "LIVEGATE_LLM_MODELS", "chat.models", "json", "JSON array of more model names clients may choose"),
  s("llm-timeout-ms", "LIVEGATE_LLM_TIMEOUT_MS", "chat.timeoutMs", "int", "longest silence from the model server, before and between chunks (default 60000)"),
  s("embeddings-model", "LIVEGATE_EMBEDDINGS_MODEL", "chat.embeddingsModel", "string", "embeddings model of an OpenAI-compatible server; unset = no embeddings"),
  s("embeddings-base-url", "LIVEGATE_EMBEDDINGS_BASE_URL", "chat.embeddingsBaseUrl", "string", "server for embeddings (default: the LLM base URL)"),
  s("embeddings-api-key", "LIVEGATE_EMBEDDINGS_API_KEY", "chat.embeddingsApiKey", "string", "API key for the embeddings server (default: the LLM API key)"),
  s("chat-context-messages", "LIVEGATE_CHAT_CONTEXT_MESSAGES", "chat.contextMessages", "int", "earlier session messages sent with a query (default 20)"),
  s("chat-scenarios", "LIVEGATE_CHAT_SCENARIOS", "chat.scenarios", "json", "JSON array of {id, description, keywords}"),
  s("dashboard-heartbeat-ms", "LIVEGATE_DASHBOARD_HEARTBEAT_MS", "codegraph.dashboardHeartbeatMs", "int", "CodeGraph dashboard heartbeat period (default 15000)"),
  s("chat-prices", "LIVEGATE_CHAT_PRICES", "chat.prices", "json", 'JSON {"model": {"input": p, "output": p}} per 1,000 tokens'),
  s("unacode-port", "LIVEGATE_UNACODE_PORT", "unacode.port", "int", "UnaCODE's own WebSocket port, e.g. 8765 (default: none)"),
  s("unacode-chat-requests-per-minute", "LIVEGATE_UNACODE_CHAT_REQUESTS_PER_MINUTE", "unacode.chatRequestsPerMinute", "int", "UnaCODE send_message per user per minute, 0 = no limit (default 30)"),
  s("trustgraph-port", "LIVEGATE_TRUSTGRAPH_PORT", "trustgraph.port", "int", "TrustGraph's own WebSocket port, e.g. 8088 (default: none)"),
  s("gateway-secret", ["LIVEGATE_GATEWAY_SECRET", "GATEWAY_SECRET"], "trustgraph.gatewaySecret", "string", "TrustGraph token: this secret or a JWT (default: open)"),
  s("trustgraph-max-in-flight", "LIVEGATE_TRUSTGRAPH_MAX_IN_FLIGHT", "trustgraph.maxInFlight", "int", "TrustGraph requests running per socket (default 15)"),
  s("trustgraph-max-queued", "LIVEGATE_TRUSTGRAPH_MAX_QUEUED", "trustgraph.maxQueued", "int", "TrustGraph requests waiting per socket (default 1000)"),
  s("trustgraph-max-frame-bytes", "LIVEGATE_TRUSTGRAPH_MAX_FRAME_BYTES", "trustgraph.maxFrameBytes", "int", "largest TrustGraph frame, close 1009 (default 16777216)"),
  s("trustgraph-spelling", "LIVEGATE_TRUSTGRAPH_SPELLING", "trustgraph.spelling", "string", "TrustGraph output keys: hyphen|underscore (default hyphen)"),
];

function convert(setting: Setting, raw: string): unknown {
  if (setting.kind === "json") {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      throw new TypeError(`--${setting.flag} / ${setting.env[0]}: expected JSON, got "${raw.slice(0, 40)}"`);
    }
  }
  if (setting.kind === "string") return setting.flag === "jwt-public-key" ? raw.replace(/\\n/g, "\n") : raw;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || (setting.kind === "int" && !Number.isInteger(n))) {
    throw new TypeError(`--${setting.flag} / ${setting.env[0]}: expected a${setting.kind === "int" ? "n integer" : " number"}, got "${raw}"`);
  }
  return n;
}

/** Builds options from environment variables, then flags (flags win). */
export function optionsFrom(env: NodeJS.ProcessEnv, flags: Readonly<Record<string, string | undefined>>): GatewayOptionsInput {
  const out: Record<string, unknown> = {};
  for (const setting of SETTINGS) {
    const fromEnv = setting.env.map((e) => env[e]).find((v) => v !== undefined && v !== "");
    const raw = flags[setting.flag] ?? fromEnv;
    if (raw === undefined) continue;
    let node = out;
    for (const key of setting.path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[setting.path.at(-1)!] = convert(setting, raw);
  }
  return out as GatewayOptionsInput;
}
