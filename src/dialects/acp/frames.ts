import { z } from "zod";

/**
 * Wire shapes of the Agent Client Protocol (ACP) over JSON-RPC 2.0 at `/api/v1/acp/ws`
 * (docs/protocol-acp.md). Requests are validated here; replies are built in session.ts.
 */

/** The one ACP major version livegate speaks; `initialize` answers it whatever the client asks (spec: "the latest it supports"). */
export const PROTOCOL_VERSION = 1;

/** The one authentication method: a livegate JWT. */
export const BEARER_METHOD = "bearer";

/**
 * Capabilities as CodeGraph's ACP advertises them (REFERENCE.md §3), verbatim. The ACP schema names the
 * MCP block `mcpCapabilities` and has no `setMode` or `authMethods` here; CodeGraph's shape is served
 * as it is, the differences are listed in docs/protocol-acp.md.
 */
export const AGENT_CAPABILITIES = {
  loadSession: true,
  setMode: false,
  promptCapabilities: { image: false, audio: false, embeddedContext: true },
  mcp: { stdio: true, http: true, sse: false },
  authMethods: [BEARER_METHOD],
} as const;

/**
 * `authMethods` of the `initialize` result: strings, as issue 3 and CodeGraph have them (the ACP schema
 * has `{id, name, description}` objects; see docs/protocol-acp.md).
 */
export const AUTH_METHODS = [BEARER_METHOD] as const;

/** A JSON-RPC id: string, number or null. Absent means the message is a notification. */
export type RpcId = string | number | null;

/** A JSON-RPC 2.0 request or notification (the `id` member's presence is checked separately). */
export const requestSchema = z.object({
  jsonrpc: z.literal("2.0"),
  method: z.string().max(128),
  id: z.union([z.string().max(256), z.number(), z.null()]).optional(),
  // JSON-RPC 2.0 §4.2: params, when present, MUST be structured (an object or an array).
  params: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
});

/** Session ids are conversation ids of the store (the chat service's rule). */
const sessionId = z.string().regex(/^[\w.:@-]{1,128}$/, "a session id: 1-128 characters of letters, digits, _ . : @ -");

/** ACP: "The working directory for this session. Must be an absolute path." (POSIX or Windows). */
const cwd = z
  .string()
  .max(4096)
  .regex(/^(\/|[A-Za-z]:[\\/]|\\\\)/, "an absolute path");

/** MCP server descriptions are accepted and kept out of the way: livegate connects to none (see the docs). */
const mcpServers = z.array(z.record(z.string(), z.unknown())).max(64).nullish();

const meta = z.record(z.string(), z.unknown()).nullish();
const token = z.string().min(1).max(8192);

const textBlock = z.object({ type: z.literal("text"), text: z.string() });
const imageBlock = z.object({ type: z.literal("image"), data: z.string(), mimeType: z.string() });
const audioBlock = z.object({ type: z.literal("audio"), data: z.string(), mimeType: z.string() });
const resourceLinkBlock = z.object({
  type: z.literal("resource_link"),
  uri: z.string(),
  name: z.string(),
  title: z.string().nullish(),
  description: z.string().nullish(),
  mimeType: z.string().nullish(),
});
const resourceBlock = z.object({
  type: z.literal("resource"),
  resource: z.union([
    z.object({ uri: z.string(), text: z.string(), mimeType: z.string().nullish() }),
    z.object({ uri: z.string(), blob: z.string(), mimeType: z.string().nullish() }),
  ]),
});

/** A content block of a prompt (ACP "Content"). */
export const contentBlockSchema = z.discriminatedUnion("type", [textBlock, imageBlock, audioBlock, resourceLinkBlock, resourceBlock]);
export type ContentBlock = z.infer<typeof contentBlockSchema>;

/** `params` of each method livegate serves, by method name. */
export const paramSchemas = {
  initialize: z.object({
    protocolVersion: z.number().int().min(0).max(65535),
    clientCapabilities: z.unknown().optional(),
    clientInfo: z.unknown().optional(),
    _meta: meta,
  }),
  /** The JWT rides in `token`, or in `_meta.token` for SDKs that drop unknown fields. */
  authenticate: z.object({
    methodId: z.string().max(64),
    token: token.optional(),
    _meta: z.object({ token: token.optional() }).nullish(),
  }),
  "session/new": z.object({ cwd, mcpServers, _meta: meta }),
  "session/load": z.object({ sessionId, cwd, mcpServers, _meta: meta }),
  "session/prompt": z.object({ sessionId, prompt: z.array(contentBlockSchema).min(1).max(256), _meta: meta }),
  "session/cancel": z.object({ sessionId, _meta: meta }),
} as const;

export type Method = keyof typeof paramSchemas;
export type Params<M extends Method> = z.infer<(typeof paramSchemas)[M]>;

export const isMethod = (m: string): m is Method => Object.hasOwn(paramSchemas, m);

/** `session/update` kinds livegate sends. */
export type SessionUpdateKind = "agent_message_chunk" | "user_message_chunk";

/** The finish reason of the chat service → ACP `stopReason`. */
export const STOP_REASONS = {
  stop: "end_turn",
  length: "max_tokens",
  cancelled: "cancelled",
} as const;
export type StopReason = (typeof STOP_REASONS)[keyof typeof STOP_REASONS];
