import type { PublicationCodec } from "../../core/connection.js";
import { isChatFailure, type ErrorCodeName, type GatewayError } from "../../core/errors.js";
import type { Publication, UserId } from "../../core/types.js";
import { SESSION_EVENTS, type ChatErrorData, type DeltaData, type ResponseEndData, type ResponseStartData, type SessionChatEvent, type SourcesData } from "../../services/chat-sessions.js";
import { errorCodeFor, errorMessageFor } from "./codes.js";

/** Nadoo's frames: flat JSON objects with a `type` and, from the server, a `timestamp` (ISO 8601 UTC). */
export type NadooFrame = { type: string } & Record<string, unknown>;

/**
 * The two chat vocabularies of Nadoo's docs: `api` (api/websockets.mdx and the seed: `chat` →
 * `response_start`, `text-delta`, `sources`, `response_end`) and `streaming` (chat/streaming.mdx:
 * `message` → `message_start`, `text_chunk`, `done`).
 */
export type Vocabulary = "api" | "streaming";

export const iso = (ms: number = Date.now()): string => new Date(ms).toISOString();

/** Serializes a frame, adding the timestamp unless it has one. */
export const frame = (f: NadooFrame, time?: number): string => JSON.stringify({ ...f, timestamp: f.timestamp ?? iso(time) });

/** `{"type":"error","message","code","detail"?,"retry_after"?,"timestamp"}`, plus `extra` fields. */
export function errorFrame(err: GatewayError, extra: Record<string, unknown> = {}): string {
  const message = errorMessageFor(err);
  const f: NadooFrame = { type: "error", message, code: errorCodeFor(err), ...extra };
  if (message !== err.message) f.detail = err.message;
  if (err.retryAfterSec !== undefined) f.retry_after = err.retryAfterSec;
  return frame(f);
}

/** A chat event in one vocabulary, or undefined when that vocabulary has no frame for it. */
export function chatEventFrame(ev: SessionChatEvent | { type: string; data: unknown }, vocabulary: Vocabulary, time?: number): string | undefined {
  switch (ev.type) {
    case SESSION_EVENTS.responseStart: {
      const d = ev.data as ResponseStartData;
      return vocabulary === "api"
        ? frame({ type: "response_start", message_id: d.message_id, chat_id: d.chat_id, session_id: d.session_id, user_id: d.user_id }, time)
        : frame({ type: "message_start", conversation_id: d.chat_id, message_id: d.message_id, user_id: d.user_id }, time);
    }
    case SESSION_EVENTS.delta: {
      const d = ev.data as DeltaData;
      return vocabulary === "api"
        ? frame({ type: "text-delta", text: d.text, index: d.index, message_id: d.message_id }, time)
        : frame({ type: "text_chunk", content: d.text, message_id: d.message_id }, time);
    }
    case SESSION_EVENTS.sources: {
      const d = ev.data as SourcesData;
      return frame({ type: "sources", sources: d.sources, message_id: d.message_id }, time);
    }
    case SESSION_EVENTS.responseEnd: {
      const d = ev.data as ResponseEndData;
      const common = {
        message_id: d.message_id,
        chat_id: d.chat_id,
        cancelled: d.cancelled,
        finish_reason: d.finish_reason,
        usage: d.usage,
      };
      return vocabulary === "api"
        ? frame({ type: "response_end", full_response: d.full_response, tokens_used: d.tokens_used, response_time: d.response_time, ...common }, time)
        : frame({ type: "done", full_response: d.full_response, tokens_used: d.tokens_used, ...common }, time);
    }
    case SESSION_EVENTS.error: {
      const d = ev.data as ChatErrorData;
      return frame({ type: "error", message: d.message, code: isChatFailure(d.code as ErrorCodeName) ? "provider_error" : "internal_error", message_id: d.message_id, chat_id: d.chat_id }, time);
    }
    default:
      return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Events about one user that the user's own sockets do not see ("to the others"). */
const ABOUT_THE_SENDER: ReadonlySet<string> = new Set([SESSION_EVENTS.typing, SESSION_EVENTS.userDisconnected]);

/** Frames shared by every socket that renders a publication alike: serialized once per vocabulary. */
const rendered = new WeakMap<Publication, Map<Vocabulary, string | undefined>>();

function renderChatPublication(pub: Publication, vocabulary: Vocabulary): string | undefined {
  let byVocabulary = rendered.get(pub);
  if (!byVocabulary) rendered.set(pub, (byVocabulary = new Map()));
  if (byVocabulary.has(vocabulary)) return byVocabulary.get(vocabulary);
  let out: string | undefined;
  if (ABOUT_THE_SENDER.has(pub.type)) {
    const d = isObject(pub.data) ? pub.data : {};
    out = frame({ type: pub.type === SESSION_EVENTS.typing ? "typing" : "user_disconnected", user_id: d.user_id, session_id: d.session_id }, pub.time);
  } else {
    out = chatEventFrame({ type: pub.type, data: pub.data }, vocabulary, pub.time);
  }
  byVocabulary.set(vocabulary, out);
  return out;
}

/**
 * The codec of one user's chat sockets in one vocabulary. Keyed by both, so the hub encodes a
 * publication once per (vocabulary, user) among a session's subscribers, and the serialization itself
 * is shared by all users of a vocabulary; `typing` and `user_disconnected` skip their own user's sockets.
 */
export function chatCodec(vocabulary: Vocabulary, user: UserId): PublicationCodec {
  return {
    key: `nadoo.chat.${vocabulary}.${user}`,
    encode(pub) {
      if (ABOUT_THE_SENDER.has(pub.type) && pub.publisher === user) return undefined;
      return renderChatPublication(pub, vocabulary);
    },
  };
}

/** A codec that shows nothing (a socket before it has joined). */
export const silentCodec: PublicationCodec = { key: "nadoo.none", encode: () => undefined };
