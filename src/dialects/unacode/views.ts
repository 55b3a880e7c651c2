import type { ConversationRecord, MessageRecord } from "../../engines/store/store.js";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The model a conversation was started with (`metadata.model` of start_conversation), if any. */
export function conversationModel(c: ConversationRecord): string | undefined {
  const model = isObject(c.metadata) ? c.metadata.model : undefined;
  return typeof model === "string" ? model : undefined;
}

/** A conversation as UnaCODE shows it, with its token and cost totals (cost in the unit of `chat.prices`). */
export interface ConversationView {
  conversation_id: string;
  title: string | null;
  status: "active" | "ended";
  /** The model the conversation was started with; null = the configured default. */
  model: string | null;
  created_at: string;
  updated_at: string;
  ended_at: string | null;
  tokens_in: number;
  tokens_out: number;
  cost: number;
}

export const conversationView = (c: ConversationRecord): ConversationView => ({
  conversation_id: c.id,
  title: c.title,
  status: c.endedAt === null ? "active" : "ended",
  model: conversationModel(c) ?? null,
  created_at: iso(c.createdAt)!,
  updated_at: iso(c.updatedAt)!,
  ended_at: iso(c.endedAt),
  tokens_in: c.tokensIn,
  tokens_out: c.tokensOut,
  cost: c.cost,
});

/** A stored message as `get_history` shows it; answers have the seed's chat_message type `ai_response`. */
export interface MessageView {
  id: string;
  type: "user_message" | "ai_response" | "system";
  content: string;
  conversation_id: string;
  created_at: string;
  /** The model that answered (answers only). */
  model: string | null;
  tokens_in: number;
  tokens_out: number;
}

const MESSAGE_TYPES = { user: "user_message", assistant: "ai_response", system: "system" } as const;

export const messageView = (m: MessageRecord): MessageView => ({
  id: m.id,
  type: MESSAGE_TYPES[m.role],
  content: m.content,
  conversation_id: m.conversationId,
  created_at: iso(m.createdAt)!,
  model: m.model,
  tokens_in: m.tokensIn,
  tokens_out: m.tokensOut,
});
