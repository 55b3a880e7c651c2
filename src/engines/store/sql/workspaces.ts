import type { Kysely } from "kysely";
import type { Database } from "../schema.js";
import type { WorkspaceRecord, WorkspaceStore } from "../store.js";
import { num } from "./json.js";

export class SqlWorkspaces implements WorkspaceStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(w: Pick<WorkspaceRecord, "id" | "name">, members: readonly string[]): Promise<WorkspaceRecord | undefined> {
    const now = Date.now();
    return this.db.transaction().execute(async (trx) => {
      const res = await trx
        .insertInto("workspaces")
        .values({ id: w.id, name: w.name, created_at: now })
        .onConflict((oc) => oc.column("id").doNothing())
        .executeTakeFirst();
      if (Number(res.numInsertedOrUpdatedRows ?? 0) === 0) return undefined;
      const unique = [...new Set(members)];
      if (unique.length > 0) {
        await trx
          .insertInto("workspace_members")
          .values(unique.map((user_id, i) => ({ workspace_id: w.id, user_id, added_at: now, seq: i + 1 })))
          .execute();
      }
      return { id: w.id, name: w.name, createdAt: now };
    });
  }

  async get(id: string): Promise<WorkspaceRecord | undefined> {
    const row = await this.db.selectFrom("workspaces").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? { id: row.id, name: row.name, createdAt: num(row.created_at) } : undefined;
  }

  async addMember(id: string, userId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const last = await trx
        .selectFrom("workspace_members")
        .select((eb) => eb.fn.max("seq").as("seq"))
        .where("workspace_id", "=", id)
        .executeTakeFirst();
      const res = await trx
        .insertInto("workspace_members")
        .values({ workspace_id: id, user_id: userId, added_at: Date.now(), seq: num(last?.seq ?? 0) + 1 })
        .onConflict((oc) => oc.columns(["workspace_id", "user_id"]).doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
    });
  }

  async isMember(id: string, userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom("workspace_members")
      .select("user_id")
      .where("workspace_id", "=", id)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async members(id: string): Promise<string[]> {
    const rows = await this.db.selectFrom("workspace_members").select("user_id").where("workspace_id", "=", id).orderBy("seq").execute();
    return rows.map((r) => r.user_id);
  }
}
