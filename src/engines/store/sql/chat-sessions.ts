import type { Kysely, Selectable } from "kysely";
import type { AppChatsTable, Database } from "../schema.js";
import type { AppChatRecord, AppMessageQuery, AppMessageRecord, ChatSessionRecord, ChatSessionStore } from "../store.js";
import { toMessage } from "./conversations.js";
import { num } from "./json.js";

const toChat = (r: Selectable<AppChatsTable>): AppChatRecord => ({
  id: r.id,
  applicationId: r.application_id,
  sessionId: r.session_id,
  userId: r.user_id,
  createdAt: num(r.created_at),
});

export class SqlChatSessions implements ChatSessionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async claim(id: string, owner: string): Promise<ChatSessionRecord> {
    await this.db
      .insertInto("chat_sessions")
      .values({ id, owner, created_at: Date.now() })
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
    const stored = await this.get(id);
    if (!stored) throw new Error(`chat session ${id} vanished after insert`);
    return stored;
  }

  async get(id: string): Promise<ChatSessionRecord | undefined> {
    const row = await this.db.selectFrom("chat_sessions").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? { id: row.id, owner: row.owner, createdAt: num(row.created_at) } : undefined;
  }

  async addMember(id: string, userId: string): Promise<boolean> {
    const res = await this.db
      .insertInto("chat_session_members")
      .values({ session_id: id, user_id: userId, added_at: Date.now() })
      .onConflict((oc) => oc.columns(["session_id", "user_id"]).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async isMember(id: string, userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom("chat_session_members")
      .select("user_id")
      .where("session_id", "=", id)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async members(id: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("chat_session_members")
      .select("user_id")
      .where("session_id", "=", id)
      .orderBy("added_at")
      .orderBy("user_id")
      .execute();
    return rows.map((r) => r.user_id);
  }

  async linkChat(chat: Omit<AppChatRecord, "createdAt">): Promise<AppChatRecord> {
    await this.db
      .insertInto("app_chats")
      .values({ id: chat.id, application_id: chat.applicationId, session_id: chat.sessionId, user_id: chat.userId, created_at: Date.now() })
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
    const stored = await this.chat(chat.id);
    if (!stored) throw new Error(`chat ${chat.id} vanished after insert`);
    return stored;
  }

  async chat(id: string): Promise<AppChatRecord | undefined> {
    const row = await this.db.selectFrom("app_chats").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toChat(row) : undefined;
  }

  async messages(q: AppMessageQuery): Promise<AppMessageRecord[]> {
    let query = this.db
      .selectFrom("messages")
      .innerJoin("app_chats", "app_chats.id", "messages.conversation_id")
      .selectAll("messages")
      .select(["app_chats.application_id", "app_chats.session_id"])
      .where("app_chats.application_id", "=", q.applicationId);
    if (q.chatIds) {
      if (q.chatIds.length === 0) return [];
      query = query.where("app_chats.id", "in", [...q.chatIds]);
    } else {
      const user = q.userId;
      query = query.where((eb) =>
        eb.or([
          eb("app_chats.user_id", "=", user),
          eb("app_chats.session_id", "in", eb.selectFrom("chat_sessions").select("chat_sessions.id").where("chat_sessions.owner", "=", user)),
          eb(
            "app_chats.session_id",
            "in",
            eb.selectFrom("chat_session_members").select("chat_session_members.session_id").where("chat_session_members.user_id", "=", user),
          ),
        ]),
      );
    }
    if (q.since !== undefined) query = query.where("messages.created_at", ">", q.since);
    const rows = await query
      .orderBy("messages.created_at")
      .orderBy("messages.conversation_id")
      .orderBy("messages.seq")
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    return rows.map((r) => ({ ...toMessage(r), applicationId: r.application_id, sessionId: r.session_id }));
  }
}
