import { z } from "zod";
import { GatewayError, toGatewayError } from "../../core/errors.js";
import type { UserId } from "../../core/types.js";
import type { ConversationRecord } from "../../engines/store/store.js";
import type { AppContext } from "../../services/context.js";
import type { ConversationService } from "../../services/conversations.js";
import type { ClientMessage, RequestId } from "./envelope.js";
import { takeChatRequest } from "./rate.js";
import { conversationModel, conversationView, messageView } from "./views.js";

/** The chat actions of the seed's "Chat System Integration". */
export const CHAT_ACTIONS = ["start_conversation", "send_message", "get_history", "list_conversations", "end_conversation"] as const;
export type ChatAction = (typeof CHAT_ACTIONS)[number];

/** Answers one socket may have streaming at once; more are refused with RATE_LIMIT_EXCEEDED. */
export const MAX_ANSWERS_IN_FLIGHT = 16;

/** Where chat replies go: the socket's session. */
export interface ChatReplies {
  isClosed(): boolean;
  reply(type: string, id: RequestId | undefined, payload: unknown): void;
  error(err: GatewayError, id: RequestId | undefined): void;
}

const conversationId = z.string().min(1).max(128);
/** `metadata` of start_conversation and send_message: `model` and `stream` are read, the rest is kept. */
const metadata = z.looseObject({ model: z.string().min(1).max(128).optional(), stream: z.boolean().optional() });

const SCHEMAS = {
  start_conversation: z.object({ title: z.string().max(200).nullish(), metadata: metadata.optional() }),
  send_message: z.object({
    conversation_id: conversationId,
    content: z.string().max(32_000).refine((s) => s.trim().length > 0, "expected a non-empty message"),
    metadata: metadata.optional(),
  }),
  get_history: z.object({ conversation_id: conversationId, limit: z.number().int().min(1).max(500).default(100) }),
  list_conversations: z.object({ limit: z.number().int().min(1).max(200).default(50) }),
  end_conversation: z.object({ conversation_id: conversationId }),
} as const satisfies Record<ChatAction, z.ZodType>;

type Fields<A extends ChatAction> = z.output<(typeof SCHEMAS)[A]>;

const isAction = (a: unknown): a is ChatAction => typeof a === "string" && (CHAT_ACTIONS as readonly string[]).includes(a);

function parse<A extends ChatAction>(action: A, msg: ClientMessage): Fields<A> {
  const r = SCHEMAS[action].safeParse(msg.fields());
  if (r.success) return r.data as Fields<A>;
  const detail = r.error.issues.map((i) => `${i.path.join(".") || action}: ${i.message}`).join("; ");
  throw new GatewayError("LG_ERR_FRAME_INVALID", { detail });
}

/**
 * The `chat` message type of one socket: conversations through the conversation service, answers from
 * the chat service (the conversation id is its session id, so earlier messages are the context).
 * Replies are `chat` messages `{action, …}` with the request's id; an answer is the seed's
 * `user_notification` `{chat_message}`, preceded by `chat_chunk`s when `metadata.stream` is true.
 */
export class UnaCodeChat {
  private readonly answers = new Set<AbortController>();

  constructor(
    private readonly gw: AppContext,
    private readonly conversations: ConversationService,
    private readonly out: ChatReplies,
  ) {}

  /** Handles one `chat` message; errors are thrown as GatewayError for the session to report. */
  async handle(user: UserId, msg: ClientMessage): Promise<void> {
    const action = msg.field("action");
    if (!isAction(action)) {
      const what = typeof action === "string" ? `"${action.slice(0, 64)}" is not an action` : "missing";
      throw new GatewayError("LG_ERR_FRAME_INVALID", { detail: `action: ${what}; one of ${CHAT_ACTIONS.join(", ")}` });
    }
    switch (action) {
      case "start_conversation":
        return this.start(user, msg.id, parse(action, msg));
      case "send_message":
        return this.send(user, msg.id, parse(action, msg));
      case "get_history":
        return this.history(user, msg.id, parse(action, msg));
      case "list_conversations":
        return this.list(user, msg.id, parse(action, msg));
      case "end_conversation":
        return this.end(user, msg.id, parse(action, msg));
    }
  }

  /** Cancels every answer in progress (the socket closed). */
  cancelAll(): void {
    for (const c of this.answers) c.abort();
    this.answers.clear();
  }

  private async start(user: UserId, id: RequestId | undefined, f: Fields<"start_conversation">): Promise<void> {
    const model = f.metadata?.model;
    if (model !== undefined) this.assertModel(model);
    const c = await this.conversations.start(user, { title: f.title, metadata: { ...f.metadata, dialect: "unacode" } });
    this.out.reply("chat", id, { action: "start_conversation", conversation_id: c.id, conversation: conversationView(c) });
  }

  /**
   * Checks the request (per-user rate, the conversation, the model) in order with the socket's other
   * messages, then answers without holding them up.
   */
  private async send(user: UserId, id: RequestId | undefined, f: Fields<"send_message">): Promise<void> {
    if (this.answers.size >= MAX_ANSWERS_IN_FLIGHT) throw new GatewayError("LG_ERR_RATE_LIMITED", { retry_after: 1 });
    const wait = await takeChatRequest(this.gw.broker.counters, user, this.gw.options.unacode.chatRequestsPerMinute);
    if (wait > 0) throw new GatewayError("LG_ERR_RATE_LIMITED", { retry_after: wait });
    const conversation = await this.conversations.open(user, f.conversation_id);
    const model = f.metadata?.model ?? conversationModel(conversation);
    if (model !== undefined) this.assertModel(model);
    void this.answer(user, id, conversation, f.content, model, f.metadata?.stream === true);
  }

  private async answer(user: UserId, id: RequestId | undefined, conversation: ConversationRecord, content: string, model: string | undefined, stream: boolean): Promise<void> {
    const controller = new AbortController();
    this.answers.add(controller);
    const conversationId = conversation.id;
    try {
      const events = this.gw.chat.stream({ user, query: content, sessionId: conversationId, model, signal: controller.signal, metadata: { dialect: "unacode" } });
      for await (const ev of events) {
        if (this.out.isClosed()) {
          controller.abort();
          continue;
        }
        if (ev.type === "delta" && stream) {
          this.out.reply("chat_chunk", id, { conversation_id: conversationId, content: ev.text, index: ev.index });
        } else if (ev.type === "done" && ev.finishReason !== "cancelled") {
          // The totals after this answer, for cost monitoring; the answer stands even if this read fails.
          const after = await this.conversations.get(user, conversationId).catch(() => undefined);
          if (this.out.isClosed()) return;
          this.out.reply("user_notification", id, {
            chat_message: {
              id: ev.messageId,
              type: "ai_response",
              content: ev.answer,
              conversation_id: conversationId,
              model: ev.model,
              finish_reason: ev.finishReason,
              tokens_in: ev.usage.promptTokens,
              tokens_out: ev.usage.completionTokens,
              cost: ev.cost,
            },
            ...(after ? { conversation: conversationView(after) } : {}),
          });
        }
      }
    } catch (err) {
      if (this.out.isClosed()) return;
      const e = toGatewayError(err);
      if (e.kind === "internal") this.gw.log.error({ err }, "unacode chat answer failed");
      this.out.error(e, id);
    } finally {
      this.answers.delete(controller);
    }
  }

  private async history(user: UserId, id: RequestId | undefined, f: Fields<"get_history">): Promise<void> {
    const { conversation, messages } = await this.conversations.history(user, f.conversation_id, f.limit);
    this.out.reply("chat", id, {
      action: "get_history",
      conversation_id: conversation.id,
      conversation: conversationView(conversation),
      messages: messages.map(messageView),
    });
  }

  private async list(user: UserId, id: RequestId | undefined, f: Fields<"list_conversations">): Promise<void> {
    const conversations = (await this.conversations.list(user, f.limit)).map(conversationView);
    const totals = conversations.reduce(
      (t, c) => ({ tokens_in: t.tokens_in + c.tokens_in, tokens_out: t.tokens_out + c.tokens_out, cost: t.cost + c.cost }),
      { tokens_in: 0, tokens_out: 0, cost: 0 },
    );
    this.out.reply("chat", id, { action: "list_conversations", conversations, totals });
  }

  private async end(user: UserId, id: RequestId | undefined, f: Fields<"end_conversation">): Promise<void> {
    const c = await this.conversations.end(user, f.conversation_id);
    this.out.reply("chat", id, { action: "end_conversation", conversation_id: c.id, conversation: conversationView(c) });
  }

  /** @throws GatewayError LG_ERR_MODEL_UNKNOWN, naming the configured models */
  private assertModel(model: string): void {
    const models = this.gw.chat.models;
    if (!models.includes(model)) throw new GatewayError("LG_ERR_MODEL_UNKNOWN", { model: model.slice(0, 128), models: models.join(", ") });
  }
}
