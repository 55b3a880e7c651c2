import { GatewayError } from "../../core/errors.js";

/**
 * The 19 message types of CodeGraph's `WSMessageType` enum (seed 000, "Message Types"), by enum name.
 * `chat.query` and `ping` go from client to server, the rest from server to client.
 */
export const WSMessageType = {
  CHAT_QUERY: "chat.query",
  PING: "ping",
  CONNECTED: "connected",
  DISCONNECTED: "disconnected",
  AUTHENTICATED: "authenticated",
  AUTH_REQUIRED: "auth_required",
  CHAT_SCENARIO: "chat.scenario",
  CHAT_CHUNK: "chat.chunk",
  CHAT_RESPONSE: "chat.response",
  CHAT_DONE: "chat.done",
  CHAT_ERROR: "chat.error",
  JOB_STARTED: "job.started",
  JOB_PROGRESS: "job.progress",
  JOB_COMPLETED: "job.completed",
  JOB_FAILED: "job.failed",
  NOTIFICATION: "notification",
  ERROR: "error",
  PONG: "pong",
  CPG_UPDATE_COMPLETE: "cpg.update.complete",
} as const;
/** One of the 19 enum values, e.g. `"chat.chunk"`. */
export type WSMessageType = (typeof WSMessageType)[keyof typeof WSMessageType];

/**
 * livegate's one addition to the client-to-server types: the answer to `auth_required`,
 * `{"type":"auth","payload":{"token":"<JWT>"}}` (docs/protocol-codegraph.md). Not an enum value.
 */
export const AUTH_MESSAGE_TYPE = "auth";

/** A JSON object payload. */
export type WSPayload = Record<string, unknown>;

/** What {@link WSMessage} is built from; only `type` is required. */
export interface WSMessageInit {
  /** A {@link WSMessageType} value; any string is kept (inbound frames may carry unknown types). */
  type: WSMessageType | (string & {});
  /** @default {} */
  payload?: WSPayload | undefined;
  /** @default now */
  timestamp?: Date | undefined;
  requestId?: string | null | undefined;
}

/** The wire form: `{"type","payload","timestamp","request_id"?}`. */
export interface WSMessageJson {
  type: string;
  payload: WSPayload;
  /** ISO 8601, UTC. */
  timestamp: string;
  request_id?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * CodeGraph's message envelope (the seed's `WSMessage` model): `type`, `payload` (default `{}`),
 * `timestamp` (always present, UTC) and `request_id`, which correlates replies with a request.
 */
export class WSMessage {
  readonly type: string;
  readonly payload: WSPayload;
  readonly timestamp: Date;
  /** Echoed on every reply to a request; null on messages that answer none. */
  readonly requestId: string | null;

  constructor(init: WSMessageInit) {
    this.type = init.type;
    this.payload = init.payload ?? {};
    this.timestamp = init.timestamp ?? new Date();
    this.requestId = init.requestId ?? null;
  }

  /**
   * Parses one frame (the seed's `WSMessage.from_json`).
   * @throws GatewayError LG_ERR_FRAME_INVALID_JSON or LG_ERR_FRAME_INVALID, whose message says what is wrong
   */
  static fromJson(text: string): WSMessage {
    const parsed = parseWSMessage(text);
    if (parsed instanceof GatewayError) throw parsed;
    return parsed;
  }

  /** The wire object; `request_id` is left out when null (as in the seed's server examples). */
  toJSON(): WSMessageJson {
    const out: WSMessageJson = { type: this.type, payload: this.payload, timestamp: isoTime(this.timestamp.getTime()) };
    if (this.requestId !== null) out.request_id = this.requestId;
    return out;
  }

  /** Serializes to one JSON text frame (the seed's `to_json`). */
  toJson(): string {
    return JSON.stringify(this.toJSON());
  }
}

let isoMs = Number.NaN;
let isoText = "";

/**
 * `new Date(ms).toISOString()`, remembering the last result: frames sent in the same millisecond (a
 * streaming answer sends many) format their timestamp once.
 */
export function isoTime(ms: number): string {
  if (ms !== isoMs) {
    isoText = new Date(ms).toISOString();
    isoMs = ms;
  }
  return isoText;
}

/**
 * The `chat.chunk` frames of one answer, written straight to JSON text: byte for byte what
 * `createChatChunk(content, requestId, isFinal).toJson()` returns at the same moment, without a
 * WSMessage, a payload object, a Date and a JSON.stringify of the whole envelope per chunk. The parts
 * that do not change during the answer (the request id) are encoded once.
 */
export class ChatChunkFrames {
  private readonly tail: string;

  constructor(requestId: string | null) {
    this.tail = requestId === null ? '"}' : `","request_id":${JSON.stringify(requestId)}}`;
  }

  /** The frame of one chunk; `at` (ms since the epoch) is the timestamp, default now. */
  encode(content: string, isFinal = false, at: number = Date.now()): string {
    return `{"type":"chat.chunk","payload":{"content":${JSON.stringify(content)},"is_final":${isFinal ? "true" : "false"}},"timestamp":"${isoTime(at)}${this.tail}`;
  }
}

/**
 * Parses one frame without throwing: a {@link WSMessage}, or the GatewayError that says why not
 * ({@link requestIdOf} still finds the `request_id` of a frame that fails here, to echo it).
 */
export function parseWSMessage(text: string): WSMessage | GatewayError {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return new GatewayError("LG_ERR_FRAME_INVALID_JSON");
  }
  if (!isObject(raw)) return invalid("expected a JSON object");
  const { type, payload, timestamp, request_id: requestId } = raw;
  if (typeof type !== "string" || type.length === 0) return invalid("type: a non-empty string is required");
  if (payload !== undefined && payload !== null && !isObject(payload)) return invalid("payload: expected an object");
  if (requestId !== undefined && requestId !== null && typeof requestId !== "string") return invalid("request_id: expected a string");
  let at: Date | undefined;
  if (timestamp !== undefined && timestamp !== null) {
    at = typeof timestamp === "string" ? new Date(timestamp) : undefined;
    if (!at || Number.isNaN(at.getTime())) return invalid("timestamp: expected an ISO 8601 date-time");
  }
  return new WSMessage({ type, payload: payload ?? {}, timestamp: at, requestId });
}

/** The `request_id` of a frame that may not parse as a whole, if it has a string one. */
export function requestIdOf(text: string): string | undefined {
  try {
    const raw: unknown = JSON.parse(text);
    const id = isObject(raw) ? raw.request_id : undefined;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

const invalid = (detail: string): GatewayError => new GatewayError("LG_ERR_FRAME_INVALID", { detail });
