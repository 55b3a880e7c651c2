import { randomBytes } from "node:crypto";
import { GatewayError } from "../../core/errors.js";
import type { UserId } from "../../core/types.js";

/** A request id as the client sent it (the seed's `"msg_123"`; numbers are echoed as numbers). */
export type RequestId = string | number;

/** The message types a client may send (docs/protocol-unacode.md). */
export const CLIENT_TYPES = ["heartbeat", "auth", "chat", "subscribe", "unsubscribe"] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];
const CLIENT_TYPE_SET: ReadonlySet<string> = new Set(CLIENT_TYPES);

/** Types a socket may send before it is authenticated. */
export const UNAUTHENTICATED_TYPES: ReadonlySet<ClientType> = new Set<ClientType>(["heartbeat", "auth"]);

/** Top-level keys of the envelope itself; any other top-level key is a field of the message. */
const ENVELOPE_KEYS: ReadonlySet<string> = new Set(["id", "type", "payload", "timestamp"]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A client message `{id, type, payload, timestamp}`. The seed's chat example puts `action`,
 * `conversation_id`, `content` and `metadata` beside `type` rather than in `payload`, and its subscribe
 * example `message_types`: a field is read from `payload` first, then from the top level.
 */
export class ClientMessage {
  constructor(
    readonly id: RequestId | undefined,
    readonly type: ClientType,
    private readonly payload: Readonly<Record<string, unknown>>,
    private readonly top: Readonly<Record<string, unknown>>,
  ) {}

  /** A field of the message, from `payload`, else from the top level. */
  field(name: string): unknown {
    if (Object.hasOwn(this.payload, name)) return this.payload[name];
    return ENVELOPE_KEYS.has(name) ? undefined : this.top[name];
  }

  /** Every field, the top-level ones overridden by those of `payload`. */
  fields(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.top)) if (!ENVELOPE_KEYS.has(k)) out[k] = v;
    return { ...out, ...this.payload };
  }
}

/** A frame that could not be decoded, and the id to answer it with when one was readable. */
export interface DecodeFailure {
  readonly error: GatewayError;
  readonly id: RequestId | undefined;
}

/** The request id of a raw frame, if it has a usable one (for answering a frame that is refused). */
export function requestIdOf(raw: unknown): RequestId | undefined {
  const id = isObject(raw) ? raw.id : undefined;
  return (typeof id === "string" && id.length <= 256) || (typeof id === "number" && Number.isFinite(id)) ? id : undefined;
}

const invalid = (detail: string, id?: RequestId): DecodeFailure => ({ error: new GatewayError("LG_ERR_FRAME_INVALID", { detail }), id });

/** Decodes a text frame; bad input is returned as a failure, never thrown. `timestamp` is not checked. */
export function decode(text: string): ClientMessage | DecodeFailure {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { error: new GatewayError("LG_ERR_FRAME_INVALID_JSON"), id: undefined };
  }
  if (!isObject(raw)) return invalid('expected a JSON object {"id", "type", "payload", "timestamp"}');
  const id = requestIdOf(raw);
  if (raw.id !== undefined && raw.id !== null && id === undefined) return invalid("id: expected a string (at most 256 characters) or a number");
  const type = raw.type;
  if (typeof type !== "string" || type.length === 0) return invalid("type: expected a non-empty string", id);
  if (!CLIENT_TYPE_SET.has(type)) return { error: new GatewayError("LG_ERR_FRAME_UNKNOWN_TYPE", { type: type.slice(0, 64) }), id };
  const payload = raw.payload ?? {};
  if (!isObject(payload)) return invalid("payload: expected an object", id);
  return new ClientMessage(id, type as ClientType, payload, raw);
}

/** A fresh id for a message the server sends on its own: `msg_` and 16 hex digits. */
export const newMessageId = (): string => `msg_${randomBytes(8).toString("hex")}`;

/**
 * A server message `{id, type, payload, timestamp, user_id}`, in the seed's key order. `id` is the
 * request's for a reply, else a fresh one; `user_id` is the recipient, or null when the message is not
 * addressed to one user (a broadcast, a socket not yet authenticated).
 */
export function frame(type: string, id: RequestId | undefined, payload: unknown, userId: UserId | null | undefined, at = new Date()): string {
  return JSON.stringify({ id: id ?? newMessageId(), type, payload, timestamp: at.toISOString(), user_id: userId ?? null });
}
