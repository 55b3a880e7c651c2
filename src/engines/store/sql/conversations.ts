import { sql, type Kysely, type Selectable } from "kysely";
import type { ConversationsTable, Database, MessagesTable } from "../schema.js";
import type { ConversationRecord, ConversationStore, MessageRecord, MessageRole } from "../store.js";
import { fromJson, num, numOrNull, toJson } from "./json.js";

const toConversation = (r: Selectable<ConversationsTable>): ConversationRecord => ({
  id: r.id,
  userId: r.user_id,
  title: r.title,
  metadata: fromJson(r.metadata),
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
  endedAt: numOrNull(r.ended_at),
  tokensIn: num(r.tokens_in),
  tokensOut: num(r.tokens_out),
  cost: Number(r.cost),
});

const toMessage = (r: Selectable<MessagesTable>): MessageRecord => ({
  id: r.id,
  conversationId: r.conversation_id,
  role: r.role as MessageRole,
  content: r.content,
  createdAt: num(r.created_at),
  tokensIn: num(r.tokens_in),
  tokensOut: num(r.tokens_out),
  model: r.model,
  metadata: fromJson(r.metadata),
});

export class SqlConversations implements ConversationStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(c: Pick<ConversationRecord, "id" | "userId" | "title" | "metadata">): Promise<ConversationRecord> {
    const now = Date.now();
    const row = {
      id: c.id,
      user_id: c.userId,
      title: c.title,
      metadata: toJson(c.metadata ?? {}),
      created_at: now,
      updated_at: now,
      ended_at: null,
      tokens_in: 0,
      tokens_out: 0,
      cost: 0,
    };
    await this.db.insertInto("conversations").values(row).execute();
    return toConversation(row);
  }

  async get(id: string): Promise<ConversationRecord | undefined> {
    const row = await this.db.selectFrom("conversations").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toConversation(row) : undefined;
  }

  async list(userId: string, limit: number): Promise<ConversationRecord[]> {
    const rows = await this.db
      .selectFrom("conversations")
      .selectAll()
      .where("user_id", "=", userId)
      .orderBy("updated_at", "desc")
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
    return rows.map(toConversation);
  }

  async end(id: string, at: number): Promise<void> {
    await this.db.updateTable("conversations").set({ ended_at: at, updated_at: at }).where("id", "=", id).execute();
  }

  async addMessage(m: Omit<MessageRecord, "createdAt">, cost: number): Promise<MessageRecord> {
    const createdAt = Date.now();
    return this.db.transaction().execute(async (trx) => {
      const last = await trx
        .selectFrom("messages")
        .select((eb) => eb.fn.max("seq").as("seq"))
        .where("conversation_id", "=", m.conversationId)
        .executeTakeFirst();
      const row = {
        id: m.id,
        conversation_id: m.conversationId,
        seq: num(last?.seq ?? 0) + 1,
        role: m.role,
        content: m.content,
        created_at: createdAt,
        tokens_in: m.tokensIn,
        tokens_out: m.tokensOut,
        model: m.model,
        metadata: toJson(m.metadata ?? {}),
      };
      await trx.insertInto("messages").values(row).execute();
      await trx
        .updateTable("conversations")
        .set({
          updated_at: createdAt,
          tokens_in: sql`tokens_in + ${m.tokensIn}`,
          tokens_out: sql`tokens_out + ${m.tokensOut}`,
          cost: sql`cost + ${cost}`,
        })
        .where("id", "=", m.conversationId)
        .execute();
      return toMessage(row);
    });
  }

  async messages(conversationId: string, opts: { limit?: number; since?: number } = {}): Promise<MessageRecord[]> {
    let q = this.db.selectFrom("messages").selectAll().where("conversation_id", "=", conversationId);
    if (opts.since !== undefined) q = q.where("created_at", ">", opts.since);
    if (opts.limit !== undefined) {
      const newest = await q.orderBy("seq", "desc").limit(opts.limit).execute();
      return newest.reverse().map(toMessage);
    }
    return (await q.orderBy("seq", "asc").execute()).map(toMessage);
  }
}
