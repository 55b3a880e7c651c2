import type { Transport } from "../../core/connection.js";
import type { DisconnectReason } from "../../core/disconnect.js";
import { GatewayError, toGatewayError } from "../../core/errors.js";
import type { Principal } from "../../core/types.js";
import { sessionChannel } from "../../services/chat-sessions.js";
import type { AppContext } from "../../services/context.js";
import type { UpgradeContext } from "../dialect.js";
import { chatCodec, type Vocabulary } from "./frames.js";
import { NadooSession, type ClientFrame } from "./session.js";

/** Application id of a `message` (streaming.mdx vocabulary) that names none, and no `?application_id=`. */
export const DEFAULT_APPLICATION_ID = "default";

const optionalString = (v: unknown): v is string | null | undefined => v === undefined || v === null || typeof v === "string";

/** A validated question, or what is wrong with it. */
function parseQuestion(msg: ClientFrame, fallbackApp: string | undefined): { content: string; applicationId: string; chatId: string | null } | GatewayError {
  const invalid = (detail: string) => new GatewayError("LG_ERR_FRAME_INVALID", { detail });
  const { content, application_id: app, chat_id: chatId, conversation_id: conversationId } = msg;
  if (typeof content !== "string" || content.trim().length === 0) return invalid("content: a non-empty string is required");
  if (!optionalString(app)) return invalid("application_id: expected a string");
  if (!optionalString(chatId)) return invalid("chat_id: expected a string or null");
  if (!optionalString(conversationId)) return invalid("conversation_id: expected a string or null");
  // The seed's `chat` names its application; streaming.mdx's `message` does not, so it may come from the URL.
  const applicationId = app || (msg.type === "message" ? fallbackApp || DEFAULT_APPLICATION_ID : undefined);
  if (!applicationId) return invalid("application_id: required");
  return { content, applicationId, chatId: chatId || conversationId || null };
}

/**
 * `/ws/chat/{session_id}` (seed 004, "Chat WebSocket"): a session that several users may share. Every
 * participant sees every answer stream (`session:{id}`), `typing` goes to the others, `user_disconnected`
 * tells them when a socket leaves, and `cancel` stops the answer in progress. Both of Nadoo's
 * vocabularies are served; each socket sees answers in the vocabulary it last asked in (docs/protocol-nadoo.md).
 */
export class ChatSocket extends NadooSession {
  private readonly sessionId: string;
  private vocabulary: Vocabulary;
  private joined = false;

  constructor(gw: AppContext, transport: Transport, ctx: UpgradeContext) {
    super(gw, transport, ctx);
    this.sessionId = ctx.params.session_id ?? "";
    this.vocabulary = ctx.url.searchParams.get("vocabulary") === "streaming" ? "streaming" : "api";
  }

  protected async welcome(principal: Principal): Promise<void> {
    const { hub, sessions } = this.gw;
    await sessions.join(principal, this.sessionId);
    this.setVocabulary(this.vocabulary);
    const pending = await hub.prepareSubscribe(this.connection, sessionChannel(this.sessionId));
    this.joined = true;
    this.send({ type: "connected", session_id: this.sessionId, user_id: principal.userId });
    hub.activate(pending);
  }

  protected onMessage(msg: ClientFrame): boolean {
    switch (msg.type) {
      case "chat":
      case "message":
        this.ask(msg);
        return true;
      case "typing":
        this.publish(() => this.gw.sessions.typing(this.sessionId, this.user));
        return true;
      case "cancel":
        // Nothing in progress (the answer may have just ended) is not an error: there is nothing to stop.
        this.gw.sessions.cancel(this.sessionId);
        return true;
      default:
        return false;
    }
  }

  protected override onClosed(_reason: DisconnectReason): void {
    // The socket's answers go on: the other participants are watching them, and a client that
    // reconnects finds them in the message history.
    if (this.joined) this.publish(() => this.gw.sessions.left(this.sessionId, this.user));
  }

  private get user(): string {
    return this.connection.userId ?? "";
  }

  private setVocabulary(v: Vocabulary): void {
    this.vocabulary = v;
    this.codec = chatCodec(v, this.user);
  }

  /** Starts an answer; it streams to the session's sockets, this one included. Returns at once. */
  private ask(msg: ClientFrame): void {
    const q = parseQuestion(msg, this.ctx.url.searchParams.get("application_id") ?? undefined);
    if (q instanceof GatewayError) return this.reportError(q);
    this.setVocabulary(msg.type === "message" ? "streaming" : "api");
    void this.gw.sessions
      .answer({ user: this.user, content: q.content, applicationId: q.applicationId, chatId: q.chatId, sessionId: this.sessionId })
      .catch((err: unknown) => {
        // Refused before it started (another user's chat, a full queue): only the asker hears of it.
        if (this.connection.closed) return;
        const e = toGatewayError(err);
        if (e.kind === "internal") this.gw.log.error({ err }, "nadoo chat failed");
        this.reportError(e);
      });
  }

  private publish(f: () => Promise<void>): void {
    f().catch((err: unknown) => this.gw.log.warn({ err, session: this.sessionId }, "nadoo session publish failed"));
  }
}
