/**
 * TrustGraph key spellings. The seed document writes protocol keys with hyphens (`end-of-stream`,
 * `chunk-type`); the real server's translators send several of them with underscores (`end_of_stream`,
 * `in_token`). livegate accepts both on input and hands handlers the hyphen form; on output it writes
 * hyphens unless the client asked for underscores (docs/protocol-trustgraph.md, "Key spellings").
 *
 * Only keys listed here are ever renamed: user data (config values, blueprint definitions, parameters,
 * metadata maps, triples, prompt variables) keeps its keys exactly as the client wrote them.
 */

/**
 * Protocol keys with more than one spelling, in canonical hyphen form. A service that reads or writes
 * another such key adds it here (one line per service group keeps merges easy).
 */
export const PROTOCOL_KEYS: readonly string[] = [
  // envelope-level and streaming markers shared by many services
  "end-of-stream", "end-of-message", "end-of-dialog", "end-of-session", "chunk-type", "message-type", "message-id",
  "in-token", "out-token",
  // flow
  "flow-id", "flow-ids", "blueprint-name", "blueprint-names", "blueprint-definition",
  "class-name", "class-names", "class-definition",
  // librarian, collection-management, knowledge
  "document-id", "processing-id", "document-metadata", "document-metadatas", "processing-metadata", "processing-metadatas",
  "upload-id", "total-size", "chunk-size", "chunk-index", "total-chunks", "chunks-received", "missing-chunks",
  "graph-embeddings", "parent-id", "document-type", "collection-id",
  "tag-filter", "created-at", "updated-at",
  "upload-state", "received-chunks", "bytes-received", "total-bytes", "object-id", "upload-sessions", "document-metadata-json",
  // retrieval and AI services
  "doc-limit", "fetch-limit", "entity-limit", "triple-limit", "max-subgraph-size", "max-path-length", "edge-score-limit",
  "edge-limit", "max-reranker-input", "batch-size", "response-format", "session-id", "conversation-id", "task-type",
  "explain-id", "explain-graph", "explain-triples",
];

/**
 * Keys whose values are user data: never descended into, so keys inside them are never renamed
 * (whatever their spelling). Checked in both spellings.
 */
export const USER_DATA_KEYS: readonly string[] = [
  "value", "config", "parameters", "blueprint-definition", "class-definition", "metadata", "triples", "variables", "state", "arguments",
  "schema", "definition", "tags", "criteria", "content", "data", "text", "terms",
];

/** How a client wants protocol keys written: the seed's hyphens or the real server's underscores. */
export type Spelling = "hyphen" | "underscore";

const toHyphen = new Map(PROTOCOL_KEYS.map((k) => [k.replaceAll("-", "_"), k]));
const toUnderscore = new Map(PROTOCOL_KEYS.map((k) => [k, k.replaceAll("-", "_")]));
const opaque = new Set(USER_DATA_KEYS.flatMap((k) => [k, k.replaceAll("-", "_")]));

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function rename(value: unknown, map: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => rename(v, map));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = map.get(k) ?? k;
    // A key given in both spellings: the canonical one wins, whichever came first.
    if (key !== k && Object.hasOwn(value, key)) continue;
    out[key] = opaque.has(k) ? v : rename(v, map);
  }
  return out;
}

/** A request body with every listed protocol key in hyphen form (user-data values untouched). */
export function canonicalKeys<T>(body: T): T {
  return rename(body, toHyphen) as T;
}

/** A response body in the client's spelling (hyphen bodies pass through as they are). */
export function spelled<T>(body: T, spelling: Spelling): T {
  if (spelling === "hyphen") return body;
  return rename(body, toUnderscore) as T;
}
