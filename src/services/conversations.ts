import { randomUUID } from "node:crypto";
import { GatewayError } from "../core/errors.js";
import type { UserId } from "../core/types.js";
import type { ConversationRecord, ConversationStore, MessageRecord } from "../engines/store/store.js";

/** What a new conversation may be given. */
export interface NewConversation {
  title?: string | null | undefined;
  /** Kept with the conversation (e.g. the dialect, a default `model`). */
  metadata?: Record<string, unknown> | undefined;
}

/**
 * A user's conversations, read and changed on the user's behalf: every call takes the user, and a
 * conversation of another user is reported exactly as a missing one (`LG_ERR_CONVERSATION_NOT_FOUND`),
 * never revealed. Messages are added by the chat service, which answers in a conversation when given
 * its id as the `sessionId`.
 */
export class ConversationService {
  constructor(private readonly store: ConversationStore) {}

  /** Creates an empty conversation `conv_<uuid>` owned by `user`. */
  start(user: UserId, c: NewConversation = {}): Promise<ConversationRecord> {
    return this.store.create({ id: `conv_${randomUUID()}`, userId: user, title: c.title ?? null, metadata: c.metadata ?? {} });
  }

  /** @throws GatewayError LG_ERR_CONVERSATION_NOT_FOUND (missing, or another user's) */
  async get(user: UserId, id: string): Promise<ConversationRecord> {
    const c = await this.store.get(id);
    if (!c || c.userId !== user) throw new GatewayError("LG_ERR_CONVERSATION_NOT_FOUND", { conversation_id: id.slice(0, 128) });
    return c;
  }

  /**
   * The conversation, if it can take a new message.
   * @throws GatewayError LG_ERR_CONVERSATION_NOT_FOUND, LG_ERR_CONVERSATION_ENDED
   */
  async open(user: UserId, id: string): Promise<ConversationRecord> {
    const c = await this.get(user, id);
    if (c.endedAt !== null) throw new GatewayError("LG_ERR_CONVERSATION_ENDED", { conversation_id: id });
    return c;
  }

  /** The user's conversations, most recently active first. */
  list(user: UserId, limit: number): Promise<ConversationRecord[]> {
    return this.store.list(user, limit);
  }

  /**
   * Ends a conversation: it keeps its history and totals but takes no new message. Ending an ended
   * conversation changes nothing. Returns the conversation as stored afterwards.
   * @throws GatewayError LG_ERR_CONVERSATION_NOT_FOUND
   */
  async end(user: UserId, id: string): Promise<ConversationRecord> {
    const c = await this.get(user, id);
    if (c.endedAt !== null) return c;
    await this.store.end(id, Date.now());
    return this.get(user, id);
  }

  /**
   * The newest `limit` messages of a conversation, oldest first, with the conversation.
   * @throws GatewayError LG_ERR_CONVERSATION_NOT_FOUND
   */
  async history(user: UserId, id: string, limit: number): Promise<{ conversation: ConversationRecord; messages: MessageRecord[] }> {
    const conversation = await this.get(user, id);
    return { conversation, messages: await this.store.messages(id, { limit }) };
  }
}
