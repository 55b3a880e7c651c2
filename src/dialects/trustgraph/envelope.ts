import type { TgBody } from "./service.js";
import { canonicalKeys, spelled, type Spelling } from "./keys.js";

/** What a client frame asks for, or why it cannot be served. */
export type Inbound =
  | { kind: "auth"; token: string }
  | { kind: "cancel"; id: string }
  | { kind: "request"; id: string; service: string; flow: string | undefined; request: TgBody; streaming: boolean }
  | { kind: "bad"; id: unknown; type: string; message: string };

/** The real server's answer to a frame it cannot read at all (no JSON, no id). */
export const BAD_MESSAGE = "Bad message";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Reads one text frame: `{"type":"auth","token"}`, `{"type":"cancel","id"}`, or a request
 * `{id, service, flow?, request}` whose body comes back with canonical (hyphen) keys.
 */
export function decode(text: string): Inbound {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { kind: "bad", id: null, type: "error", message: BAD_MESSAGE };
  }
  if (!isObject(data)) return { kind: "bad", id: null, type: "error", message: BAD_MESSAGE };
  if (data.type === "auth") return { kind: "auth", token: typeof data.token === "string" ? data.token : "" };
  const id = data.id;
  if (id === undefined || id === null || id === "") return { kind: "bad", id: null, type: "error", message: BAD_MESSAGE };
  // A number or other JSON id is echoed, so the client can still tell which frame was refused.
  if (typeof id !== "string") return { kind: "bad", id, type: "gateway-error", message: "id must be a string" };
  if (data.type === "cancel") return { kind: "cancel", id };
  if (typeof data.service !== "string" || data.service === "") {
    return { kind: "bad", id, type: "gateway-error", message: "service is required" };
  }
  if (!isObject(data.request)) return { kind: "bad", id, type: "gateway-error", message: "request must be a JSON object" };
  if (data.flow !== undefined && data.flow !== null && typeof data.flow !== "string") {
    return { kind: "bad", id, type: "gateway-error", message: "flow must be a string" };
  }
  const request = canonicalKeys(data.request);
  const flow = typeof data.flow === "string" && data.flow !== "" ? data.flow : undefined;
  return { kind: "request", id, service: data.service, flow, request, streaming: request.streaming === true };
}

/** A response frame: `{id, response, complete}`, the body in the client's spelling. */
export function responseFrame(id: string, body: TgBody, complete: boolean, spelling: Spelling): string {
  return JSON.stringify({ id, response: spelled(body, spelling), complete });
}

/** A mux-level error (bad frame, unknown service, auth): `{id, error:{type,message}, complete:true}`. */
export function errorFrame(id: unknown, type: string, message: string): string {
  return JSON.stringify({ id, error: { type, message }, complete: true });
}

/**
 * A service's error, final. The seed puts it at envelope level (`error`), the real server nests it in
 * `response.error`; both are sent so clients of either read it (docs/protocol-trustgraph.md, "Errors").
 */
export function serviceErrorFrame(id: string, type: string, message: string): string {
  const error = { type, message };
  return JSON.stringify({ id, error, response: { error }, complete: true });
}

/** In-band auth answers (the real server's 2026 form). */
export const authOkFrame = (workspace: string): string => JSON.stringify({ type: "auth-ok", workspace, default_workspace: workspace });
export const AUTH_FAILED_FRAME = JSON.stringify({ type: "auth-failed", error: "auth failure" });
