import type { Kysely, Selectable } from "kysely";
import type { Database, NotificationsTable } from "../schema.js";
import type { NotificationCategory, NotificationRecord, NotificationStore } from "../store.js";
import { fromJson, num, numOrNull, toJson } from "./json.js";

const toRecord = (r: Selectable<NotificationsTable>): NotificationRecord => ({
  id: r.id,
  userId: r.user_id,
  title: r.title,
  message: r.message,
  category: r.category as NotificationCategory,
  data: fromJson(r.data),
  actionUrl: r.action_url,
  createdAt: num(r.created_at),
  deliveredAt: numOrNull(r.delivered_at),
});

export class SqlNotifications implements NotificationStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(n: Omit<NotificationRecord, "deliveredAt">): Promise<NotificationRecord> {
    const row = {
      id: n.id,
      user_id: n.userId,
      title: n.title,
      message: n.message,
      category: n.category,
      data: n.data === undefined || n.data === null ? null : toJson(n.data),
      action_url: n.actionUrl,
      created_at: n.createdAt,
      delivered_at: null,
    };
    await this.db.insertInto("notifications").values(row).execute();
    return toRecord(row);
  }

  async undelivered(userId: string, limit: number): Promise<NotificationRecord[]> {
    const rows = await this.db
      .selectFrom("notifications")
      .selectAll()
      .where("user_id", "=", userId)
      .where("delivered_at", "is", null)
      .orderBy("created_at", "asc")
      .orderBy("id", "asc")
      .limit(limit)
      .execute();
    return rows.map(toRecord);
  }

  async markDelivered(ids: readonly string[], at: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.updateTable("notifications").set({ delivered_at: at }).where("id", "in", ids).where("delivered_at", "is", null).execute();
  }

  async list(userId: string, limit: number): Promise<NotificationRecord[]> {
    const rows = await this.db
      .selectFrom("notifications")
      .selectAll()
      .where("user_id", "=", userId)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
    return rows.map(toRecord);
  }
}
