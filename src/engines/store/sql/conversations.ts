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

/** A `messages` row as a MessageRecord (also the base of chat-sessions' application messages). */
export const toMessage = (r: Selectable<MessagesTable>): MessageRecord => ({
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

  async create(
    c: Pick<ConversationRecord, "id" | "userId" | "title" | "metadata">,
    first?: Omit<MessageRecord, "createdAt" | "conversationId">,
  ): Promise<ConversationRecord> {
    const now = Date.now();
    const row = {
      id: c.id,
      user_id: c.userId,
      title: c.title,
      metadata: toJson(c.metadata ?? {}),
      created_at: now,
      updated_at: now,
      ended_at: null,
      tokens_in: first?.tokensIn ?? 0,
      tokens_out: first?.tokensOut ?? 0,
      cost: 0,
    };
    if (!first) {
      await this.db.insertInto("conversations").values(row).execute();
    } else {
      // One transaction for a new chat's conversation and its question (was: an insert, then addMessage's).
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto("conversations").values(row).execute();
        await trx
          .insertInto("messages")
          .values({
            id: first.id,
            conversation_id: c.id,
            seq: 1,
            role: first.role,
            content: first.content,
            created_at: now,
            tokens_in: first.tokensIn,
            tokens_out: first.tokensOut,
            model: first.model,
            metadata: toJson(first.metadata ?? {}),
          })
          .execute();
      });
    }
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
    const metadata = toJson(m.metadata ?? {});
    await this.db.transaction().execute(async (trx) => {
      // The totals first: on PostgreSQL the update locks the conversation's row until commit, so writers
      // appending to one conversation at once take turns and never compute the same next seq (SQLite
      // runs one write transaction at a time anyway).
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
      // The next seq is computed in the insert itself (one statement instead of a select, then an insert).
      await trx
        .insertInto("messages")
        .columns(["id", "conversation_id", "seq", "role", "content", "created_at", "tokens_in", "tokens_out", "model", "metadata"])
        .expression((eb) =>
          eb
            .selectFrom("messages")
            .where("conversation_id", "=", m.conversationId)
            .select([
              eb.val(m.id).as("id"),
              eb.val(m.conversationId).as("conversation_id"),
              sql<number>`coalesce(max(seq), 0) + 1`.as("seq"),
              eb.val(m.role).as("role"),
              eb.val(m.content).as("content"),
              eb.val(createdAt).as("created_at"),
              eb.val(m.tokensIn).as("tokens_in"),
              eb.val(m.tokensOut).as("tokens_out"),
              eb.val(m.model).as("model"),
              eb.val(metadata).as("metadata"),
            ]),
        )
        .execute();
    });
    return {
      id: m.id,
      conversationId: m.conversationId,
      role: m.role,
      content: m.content,
      createdAt,
      tokensIn: m.tokensIn,
      tokensOut: m.tokensOut,
      model: m.model,
      metadata: fromJson(metadata),
    };
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
