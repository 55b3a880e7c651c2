import { BROADCAST_CHANNEL } from "../../core/channel.js";
import { GatewayError, toGatewayError } from "../../core/errors.js";
import type { ChannelName, Principal } from "../../core/types.js";
import type { ChatSource } from "../../engines/chat/provider.js";
import type { ChatQuery } from "../../services/chat/service.js";
import { chatCodec } from "./codecs.js";
import { ERROR_TEXT, errorTextFor } from "./codes.js";
import { ChatChunkFrames, WSMessageType, type WSMessage } from "./envelope.js";
import { createChatDone, createChatError, createChatResponse, createChatScenario, createError } from "./factories.js";
import { CodeGraphSession } from "./session.js";

/** The channel of one user's CodeGraph chat sockets (per-user `cpg.update.complete`). */
export const chatUserChannel = (user: string): ChannelName => `codegraph:${user}`;

/** Chat queries one socket may have in flight; more are refused with `chat.error`. */
export const MAX_QUERIES_IN_FLIGHT = 16;

/** A validated `chat.query` payload, or the error to answer it with. */
type ParsedQuery = Pick<ChatQuery, "query" | "sessionId" | "scenarioId" | "language">;

const optionalString = (v: unknown): v is string | null | undefined => v === undefined || v === null || typeof v === "string";

/** Validates ChatQueryPayload (seed 000): `query` required; `session_id`, `scenario_id`, `language` optional. */
function parseQuery(payload: Record<string, unknown>): ParsedQuery | { error: string; details: string } {
  const { query, session_id: sessionId, scenario_id: scenarioId, language } = payload;
  if (query !== undefined && query !== null && typeof query !== "string") {
    return { error: ERROR_TEXT.invalidFormat, details: "payload.query: expected a string" };
  }
  if (!query || query.trim().length === 0) return { error: ERROR_TEXT.queryRequired, details: "payload.query is empty" };
  if (!optionalString(sessionId)) return { error: ERROR_TEXT.invalidFormat, details: "payload.session_id: expected a string or null" };
  if (!optionalString(scenarioId)) return { error: ERROR_TEXT.invalidFormat, details: "payload.scenario_id: expected a string or null" };
  if (language !== undefined && language !== null && language !== "en" && language !== "ru") {
    return { error: ERROR_TEXT.invalidFormat, details: 'payload.language: expected "en" or "ru"' };
  }
  return { query, sessionId: sessionId || null, scenarioId: scenarioId || null, language: language ?? "en" };
}

/**
 * `/api/v1/ws/chat`: `chat.query` → `chat.scenario`, `chat.chunk`… (the last one empty with
 * `is_final: true`), `chat.response`, `chat.done`; or `chat.error` then `chat.done`. Queries run
 * concurrently, each tagged with its `request_id`; closing the socket cancels them. The socket also
 * shows `cpg.update.complete` publications of `broadcast` and `codegraph:{user}`.
 */
export class ChatSession extends CodeGraphSession {
  readonly codec = chatCodec;
  private readonly streams = new Set<AbortController>();

  protected async welcome(principal: Principal): Promise<void> {
    const hub = this.gw.hub;
    const pending = await Promise.all([BROADCAST_CHANNEL, chatUserChannel(principal.userId)].map((ch) => hub.prepareSubscribe(this.connection, ch)));
    this.sendConnected(principal);
    for (const p of pending) hub.activate(p);
  }

  protected override onMessage(msg: WSMessage): boolean {
    if (msg.type !== WSMessageType.CHAT_QUERY) return false;
    this.handleQuery(msg);
    return true;
  }

  /**
   * Handles a `chat.query` as if this socket's client had sent it (the seed's `ChatHandler.handle_query`):
   * a bad payload is answered with `error`; otherwise the answer streams to this socket, tagged with the
   * message's `request_id`. Returns at once.
   */
  handleQuery(msg: WSMessage): void {
    if (this.connection.closed) return;
    const parsed = parseQuery(msg.payload);
    if (!this.connection.userId) {
      this.reportError(new GatewayError("LG_ERR_AUTH_REQUIRED"), msg.requestId);
    } else if ("error" in parsed) {
      this.send(createError(parsed.error, parsed.details, msg.requestId));
    } else if (this.streams.size >= MAX_QUERIES_IN_FLIGHT) {
      this.send(createChatError(ERROR_TEXT.tooManyQueries, `at most ${MAX_QUERIES_IN_FLIGHT} queries may be in flight on one socket`, msg.requestId));
      this.send(createChatDone(msg.requestId));
    } else {
      // Not awaited: the next frame (another query, a ping) is handled while this answer streams.
      void this.answer(parsed, msg.requestId);
    }
  }

  protected override onClosed(): void {
    for (const c of this.streams) c.abort();
    this.streams.clear();
  }

  private async answer(q: ParsedQuery, requestId: string | null): Promise<void> {
    const conn = this.connection;
    const user = conn.userId ?? "";
    const controller = new AbortController();
    this.streams.add(controller);
    let sources: ChatSource[] = [];
    // One frame per delta: written straight to JSON (the same bytes as createChatChunk(…).toJson()).
    const chunks = new ChatChunkFrames(requestId);
    try {
      const stream = this.gw.chat.stream({ ...q, user, signal: controller.signal, metadata: { dialect: "codegraph" } });
      for await (const ev of stream) {
        if (conn.closed) {
          controller.abort();
          continue;
        }
        switch (ev.type) {
          case "scenario":
            this.send(createChatScenario(ev.scenarioId, requestId));
            break;
          case "delta":
            conn.send(chunks.encode(ev.text));
            break;
          case "sources":
            sources = ev.sources;
            break;
          case "done": {
            if (ev.finishReason === "cancelled") break;
            conn.send(chunks.encode("", true));
            const response = createChatResponse(ev.answer, ev.scenarioId, ev.confidence, ev.sessionId, requestId);
            if (sources.length > 0) response.payload.sources = sources;
            this.send(response);
            this.send(createChatDone(requestId));
            break;
          }
        }
      }
    } catch (err) {
      if (conn.closed) return;
      const e = toGatewayError(err);
      if (e.kind === "internal") this.gw.log.error({ err }, "codegraph chat query failed");
      this.send(createChatError(errorTextFor(e), e.message, requestId));
      this.send(createChatDone(requestId));
    } finally {
      this.streams.delete(controller);
    }
  }
}
