import { randomUUID } from "node:crypto";
import type { Broker } from "../engines/broker/broker.js";
import type { ChatSource } from "../engines/chat/provider.js";
import type { AppMessageRecord, ChatSessionStore, ConversationStore } from "../engines/store/store.js";
import { GatewayError, toGatewayError } from "../core/errors.js";
import { claimMatches, type ChannelPolicy } from "../core/policy.js";
import type { ChannelName, Principal, UserId } from "../core/types.js";
import type { ChatService } from "./chat/service.js";

/** The channel of a chat session: its answers, typing indicators and departures. */
export const sessionChannel = (sessionId: string): ChannelName => `session:${sessionId}`;

/** Session, chat and application ids: 1-128 characters of letters, digits, `_ . : @ -`. */
export const SESSION_ID_RE = /^[\w.:@-]{1,128}$/;

/** Event types published on `session:{id}` (every dialect renders them in its own shape). */
export const SESSION_EVENTS = {
  responseStart: "chat.response_start",
  delta: "chat.delta",
  sources: "chat.sources",
  responseEnd: "chat.response_end",
  error: "chat.error",
  typing: "session.typing",
  userDisconnected: "session.user_disconnected",
} as const;

/** `chat.response_start`: an answer begins. */
export interface ResponseStartData {
  message_id: string;
  chat_id: string;
  session_id: string | null;
  application_id: string;
  /** Who asked. */
  user_id: UserId;
}

/** `chat.delta`: a piece of the answer; `index` counts from 0 within the answer. */
export interface DeltaData {
  message_id: string;
  text: string;
  index: number;
}

/** `chat.sources`: the documents the answer came from. */
export interface SourcesData {
  message_id: string;
  sources: ChatSource[];
}

/** `chat.response_end`: the answer is complete, or was cancelled (`cancelled: true`, what was produced). */
export interface ResponseEndData {
  message_id: string;
  chat_id: string;
  full_response: string;
  /** Tokens of the answer (completion tokens), as Nadoo reports them. */
  tokens_used: number;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  /** Seconds from the question to the end of the answer. */
  response_time: number;
  finish_reason: "stop" | "length" | "cancelled";
  cancelled: boolean;
  model: string;
  cost: number;
}

/** `chat.error`: the answer failed after it started. */
export interface ChatErrorData {
  message_id: string;
  chat_id: string;
  /** The livegate error code, e.g. LG_ERR_CHAT_FAILED. */
  code: string;
  message: string;
}

/** One event of an answer, as published and as handed to a direct listener (SSE). */
export type SessionChatEvent =
  | { type: typeof SESSION_EVENTS.responseStart; data: ResponseStartData }
  | { type: typeof SESSION_EVENTS.delta; data: DeltaData }
  | { type: typeof SESSION_EVENTS.sources; data: SourcesData }
  | { type: typeof SESSION_EVENTS.responseEnd; data: ResponseEndData }
  | { type: typeof SESSION_EVENTS.error; data: ChatErrorData };

/** A question asked in an application, optionally in a shared session. */
export interface SessionChatQuery {
  user: UserId;
  content: string;
  applicationId: string;
  /** The chat to continue (its earlier messages are the context); a new chat when absent. */
  chatId?: string | null | undefined;
  /** The session whose participants see the answer (published on `session:{id}`); none for a private answer. */
  sessionId?: string | null | undefined;
  /** Aborting it cancels the answer (as {@link ChatSessionService.cancel} does). */
  signal?: AbortSignal | undefined;
  /** Extra metadata stored with a new chat. */
  metadata?: Record<string, unknown> | undefined;
}

/** A message of an application's chat, as the history REST API returns it. */
export interface AppMessageView {
  id: string;
  chat_id: string;
  session_id: string | null;
  role: string;
  content: string;
  created_at: string;
  tokens_used: number;
  model: string | null;
  finish_reason: string | null;
}

/** Answers waiting per session on one node, beyond the one being generated. */
export const MAX_QUEUED_PER_SESSION = 8;

interface SessionQueue {
  /** Resolves when the last queued answer has ended. */
  tail: Promise<void>;
  waiting: number;
  /** The answer being generated now. */
  current: AbortController | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Chat sessions (Nadoo's `/ws/chat/{session_id}`): who may join one, the answers asked in them, and the
 * application chats those answers belong to.
 *
 * - The first user to open a session owns it; others join when they are members (added over REST) or
 *   their token's `channels` claim matches `session:{id}`.
 * - An answer asked in a session is published on `session:{id}`, so every participant sees it stream.
 *   One answer is generated at a time per session (on this node); later questions wait their turn, so
 *   two answers never interleave on the participants' screens.
 */
export class ChatSessionService {
  private readonly queues = new Map<string, SessionQueue>();

  constructor(
    private readonly store: ChatSessionStore,
    private readonly conversations: ConversationStore,
    private readonly broker: Broker,
    private readonly chat: ChatService,
    policy: ChannelPolicy,
  ) {
    // Owners and members may subscribe to a session's channel on any protocol; others only by claim.
    policy.addSubscribeRule(async (who, channel) => {
      if (!channel.startsWith("session:")) return undefined;
      return (await this.isParticipant(channel.slice(8), who.userId)) ? true : undefined;
    });
  }

  /**
   * Lets `principal` into the session, creating it (owned by them) when it is new.
   * @throws GatewayError LG_ERR_REQUEST_INVALID for a bad id, LG_ERR_SESSION_FORBIDDEN for an outsider
   */
  async join(principal: Principal, sessionId: string): Promise<{ owner: UserId }> {
    if (!SESSION_ID_RE.test(sessionId)) {
      throw new GatewayError("LG_ERR_REQUEST_INVALID", { detail: "session_id: 1-128 characters of letters, digits, _ . : @ -" });
    }
    const session = await this.store.claim(sessionId, principal.userId);
    const user = principal.userId;
    if (session.owner === user || (await this.store.isMember(sessionId, user)) || claimMatches(principal.claims.channels, sessionChannel(sessionId))) {
      return { owner: session.owner };
    }
    throw new GatewayError("LG_ERR_SESSION_FORBIDDEN", { session_id: sessionId });
  }

  /** True when the user owns the session or is a member (the `channels` claim is not consulted). */
  async isParticipant(sessionId: string, user: UserId): Promise<boolean> {
    const session = await this.store.get(sessionId);
    return session?.owner === user || (await this.store.isMember(sessionId, user));
  }

  /** Adds a member (the session need not exist yet). Returns false if the user already was one. */
  async addMember(sessionId: string, user: UserId): Promise<boolean> {
    if (!SESSION_ID_RE.test(sessionId)) {
      throw new GatewayError("LG_ERR_REQUEST_INVALID", { detail: "session_id: 1-128 characters of letters, digits, _ . : @ -" });
    }
    return this.store.addMember(sessionId, user);
  }

  /** The session's owner and members. */
  async participants(sessionId: string): Promise<{ owner: UserId | null; members: UserId[] }> {
    const [session, members] = await Promise.all([this.store.get(sessionId), this.store.members(sessionId)]);
    return { owner: session?.owner ?? null, members };
  }

  /** Publishes a typing indicator of `user` to the session. */
  async typing(sessionId: string, user: UserId): Promise<void> {
    await this.broker.publish(sessionChannel(sessionId), { type: SESSION_EVENTS.typing, data: { user_id: user, session_id: sessionId }, publisher: user });
  }

  /** Tells the session that one of `user`'s sockets left it. */
  async left(sessionId: string, user: UserId): Promise<void> {
    await this.broker.publish(sessionChannel(sessionId), {
      type: SESSION_EVENTS.userDisconnected,
      data: { user_id: user, session_id: sessionId },
      publisher: user,
    });
  }

  /**
   * Cancels the answer being generated in the session on this node: it ends at once with what was
   * produced, `cancelled: true`. Questions waiting behind it still get their answers. Returns false when
   * no answer was in progress.
   */
  cancel(sessionId: string): boolean {
    const current = this.queues.get(sessionId)?.current;
    if (!current || current.signal.aborted) return false;
    current.abort();
    return true;
  }

  /**
   * Answers a question. Events go to `onEvent` as they happen and, in a session, to `session:{id}`.
   * Resolves with the last event (`chat.response_end` or `chat.error`) once the answer has ended.
   * Errors before the answer starts (bad ids, another user's chat, a full queue) are thrown and
   * published nowhere.
   * @throws GatewayError LG_ERR_REQUEST_INVALID, LG_ERR_CHAT_NOT_FOUND, LG_ERR_SESSION_BUSY
   */
  async answer(q: SessionChatQuery, onEvent?: (ev: SessionChatEvent) => void): Promise<SessionChatEvent> {
    for (const [name, v] of [["application_id", q.applicationId], ["chat_id", q.chatId], ["session_id", q.sessionId]] as const) {
      if (v !== undefined && v !== null && !SESSION_ID_RE.test(v)) {
        throw new GatewayError("LG_ERR_REQUEST_INVALID", { detail: `${name}: 1-128 characters of letters, digits, _ . : @ -` });
      }
    }
    if (q.chatId) {
      // Only the user who started a chat continues it; anyone else's chat is "not found", never revealed.
      const [chat, conversation] = await Promise.all([this.store.chat(q.chatId), this.conversations.get(q.chatId)]);
      if ((chat && chat.userId !== q.user) || (conversation && conversation.userId !== q.user)) {
        throw new GatewayError("LG_ERR_CHAT_NOT_FOUND", { chat_id: q.chatId });
      }
    }
    const sessionId = q.sessionId ?? null;
    if (!sessionId) return this.generate(q, null, onEvent);
    let queue = this.queues.get(sessionId);
    if (!queue) this.queues.set(sessionId, (queue = { tail: Promise.resolve(), waiting: 0, current: undefined }));
    if (queue.waiting >= MAX_QUEUED_PER_SESSION + 1) throw new GatewayError("LG_ERR_SESSION_BUSY", { session_id: sessionId });
    queue.waiting += 1;
    const q2 = queue;
    const run = q2.tail.then(() => this.generate(q, q2, onEvent));
    q2.tail = run.then(
      () => undefined,
      () => undefined,
    );
    try {
      return await run;
    } finally {
      q2.waiting -= 1;
      if (q2.waiting === 0 && this.queues.get(sessionId) === q2) this.queues.delete(sessionId);
    }
  }

  /**
   * One page of an application's messages that `user` may read, oldest first. With `chatId`, that chat
   * only; it must be the user's, or started in a session the user may join (owner, member or claim).
   * @throws GatewayError LG_ERR_CHAT_NOT_FOUND
   */
  async messages(
    principal: Principal,
    q: { applicationId: string; chatId?: string | undefined; since?: number | undefined; limit: number; offset: number },
  ): Promise<AppMessageView[]> {
    let chatIds: string[] | undefined;
    if (q.chatId !== undefined) {
      const chat = await this.store.chat(q.chatId);
      const user = principal.userId;
      const readable =
        chat !== undefined &&
        chat.applicationId === q.applicationId &&
        (chat.userId === user ||
          (chat.sessionId !== null &&
            ((await this.isParticipant(chat.sessionId, user)) || claimMatches(principal.claims.channels, sessionChannel(chat.sessionId)))));
      if (!readable) throw new GatewayError("LG_ERR_CHAT_NOT_FOUND", { chat_id: q.chatId });
      chatIds = [q.chatId];
    }
    const rows = await this.store.messages({ applicationId: q.applicationId, userId: principal.userId, chatIds, since: q.since, limit: q.limit, offset: q.offset });
    return rows.map(messageView);
  }

  private async generate(q: SessionChatQuery, queue: SessionQueue | null, onEvent?: (ev: SessionChatEvent) => void): Promise<SessionChatEvent> {
    const controller = new AbortController();
    const abort = (): void => controller.abort();
    if (q.signal?.aborted) controller.abort();
    q.signal?.addEventListener("abort", abort, { once: true });
    if (queue) queue.current = controller;
    const sessionId = q.sessionId ?? null;
    const messageId = `msg_${randomUUID()}`;
    const chatId = q.chatId || `chat_${randomUUID()}`;
    let started = false;
    const emit = async (ev: SessionChatEvent): Promise<void> => {
      onEvent?.(ev);
      if (sessionId) await this.broker.publish(sessionChannel(sessionId), { type: ev.type, data: ev.data, publisher: q.user });
    };
    // Announced before the first piece of the answer, once the chat service has accepted the question.
    const start = async (): Promise<void> => {
      if (started) return;
      started = true;
      await emit({
        type: SESSION_EVENTS.responseStart,
        data: { message_id: messageId, chat_id: chatId, session_id: sessionId, application_id: q.applicationId, user_id: q.user },
      });
    };
    try {
      await this.store.linkChat({ id: chatId, applicationId: q.applicationId, sessionId, userId: q.user });
      const stream = this.chat.stream({
        user: q.user,
        query: q.content,
        sessionId: chatId,
        signal: controller.signal,
        messageId,
        metadata: { dialect: "nadoo", application_id: q.applicationId, session_id: sessionId, ...q.metadata },
      });
      for await (const ev of stream) {
        if (ev.type === "scenario") continue;
        await start();
        if (ev.type === "delta") {
          await emit({ type: SESSION_EVENTS.delta, data: { message_id: messageId, text: ev.text, index: ev.index } });
        } else if (ev.type === "sources") {
          await emit({ type: SESSION_EVENTS.sources, data: { message_id: messageId, sources: ev.sources } });
        } else {
          const end: SessionChatEvent = {
            type: SESSION_EVENTS.responseEnd,
            data: {
              message_id: messageId,
              chat_id: chatId,
              full_response: ev.answer,
              tokens_used: ev.usage.completionTokens,
              usage: {
                prompt_tokens: ev.usage.promptTokens,
                completion_tokens: ev.usage.completionTokens,
                total_tokens: ev.usage.promptTokens + ev.usage.completionTokens,
              },
              response_time: Math.round(ev.elapsedMs) / 1000,
              finish_reason: ev.finishReason,
              cancelled: ev.finishReason === "cancelled",
              model: ev.model,
              cost: ev.cost,
            },
          };
          await emit(end);
          return end;
        }
      }
      throw new GatewayError("LG_ERR_CHAT_FAILED", { detail: "the answer ended without a result" });
    } catch (err) {
      const e = toGatewayError(err);
      if (!started) throw e.code === "LG_ERR_SESSION_NOT_FOUND" ? new GatewayError("LG_ERR_CHAT_NOT_FOUND", { chat_id: chatId }) : e;
      const failed: SessionChatEvent = { type: SESSION_EVENTS.error, data: { message_id: messageId, chat_id: chatId, code: e.code, message: e.message } };
      await emit(failed).catch(() => undefined);
      return failed;
    } finally {
      q.signal?.removeEventListener("abort", abort);
      if (queue && queue.current === controller) queue.current = undefined;
    }
  }
}

/** The REST view of a stored message. */
function messageView(m: AppMessageRecord): AppMessageView {
  const meta = isObject(m.metadata) ? m.metadata : {};
  return {
    id: m.id,
    chat_id: m.conversationId,
    session_id: m.sessionId,
    role: m.role,
    content: m.content,
    created_at: new Date(m.createdAt).toISOString(),
    tokens_used: m.role === "assistant" ? m.tokensOut : 0,
    model: m.model,
    finish_reason: typeof meta.finish_reason === "string" ? meta.finish_reason : null,
  };
}
