import type { Kysely, Selectable } from "kysely";
import type { Database, PluginExecutionsTable } from "../schema.js";
import type { PluginEventRecord, PluginExecutionRecord, PluginExecutionStatus, PluginExecutionStore } from "../store.js";
import { fromJson, num, toJson } from "./json.js";

const toRecord = (r: Selectable<PluginExecutionsTable>): PluginExecutionRecord => ({
  id: r.id,
  pluginId: r.plugin_id,
  toolName: r.tool_name,
  status: r.status as PluginExecutionStatus,
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
  events: num(r.events),
});

export class SqlPluginExecutions implements PluginExecutionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(e: Pick<PluginExecutionRecord, "id" | "pluginId" | "toolName">): Promise<PluginExecutionRecord> {
    const now = Date.now();
    const row = { id: e.id, plugin_id: e.pluginId, tool_name: e.toolName, status: "running", created_at: now, updated_at: now, events: 0 };
    await this.db.insertInto("plugin_executions").values(row).execute();
    return toRecord(row);
  }

  async get(id: string): Promise<PluginExecutionRecord | undefined> {
    const row = await this.db.selectFrom("plugin_executions").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async append(
    id: string,
    event: Pick<PluginEventRecord, "type" | "data">,
    status?: PluginExecutionStatus,
  ): Promise<PluginEventRecord | undefined> {
    const now = Date.now();
    return this.db.transaction().execute(async (trx) => {
      // Claims the next number and checks the execution is still running in one statement, so two
      // writers never get the same number and nothing is appended after the execution finished.
      const res = await trx
        .updateTable("plugin_executions")
        .set((eb) => ({ events: eb("events", "+", 1), updated_at: now, ...(status ? { status } : {}) }))
        .where("id", "=", id)
        .where("status", "=", "running")
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return undefined;
      const row = await trx.selectFrom("plugin_executions").select("events").where("id", "=", id).executeTakeFirstOrThrow();
      const seq = num(row.events);
      await trx.insertInto("plugin_events").values({ execution_id: id, seq, type: event.type, data: toJson(event.data), created_at: now }).execute();
      return { executionId: id, seq, type: event.type, data: event.data ?? null, createdAt: now };
    });
  }

  async events(id: string, limit: number): Promise<PluginEventRecord[]> {
    const rows = await this.db.selectFrom("plugin_events").selectAll().where("execution_id", "=", id).orderBy("seq", "desc").limit(limit).execute();
    return rows.reverse().map((r) => ({ executionId: r.execution_id, seq: num(r.seq), type: r.type, data: fromJson(r.data), createdAt: num(r.created_at) }));
  }
}
