import type { Kysely, Selectable } from "kysely";
import type { Database, JobsTable } from "../schema.js";
import type { JobPatch, JobRecord, JobStatus, JobStore } from "../store.js";
import { fromJson, num, numOrNull, toJson } from "./json.js";

const toRecord = (r: Selectable<JobsTable>): JobRecord => ({
  id: r.id,
  type: r.type,
  owner: r.owner,
  status: r.status as JobStatus,
  progress: num(r.progress),
  message: r.message,
  metadata: fromJson(r.metadata),
  result: fromJson(r.result),
  error: r.error,
  createdAt: num(r.created_at),
  startedAt: numOrNull(r.started_at),
  updatedAt: num(r.updated_at),
  completedAt: numOrNull(r.completed_at),
});

export class SqlJobs implements JobStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(job: Pick<JobRecord, "id" | "type" | "owner" | "metadata">): Promise<JobRecord> {
    const now = Date.now();
    const row = {
      id: job.id,
      type: job.type,
      owner: job.owner,
      status: "pending",
      progress: 0,
      message: null,
      metadata: toJson(job.metadata ?? {}),
      result: null,
      error: null,
      created_at: now,
      started_at: null,
      updated_at: now,
      completed_at: null,
    };
    await this.db.insertInto("jobs").values(row).execute();
    return toRecord(row);
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const row = await this.db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async update(id: string, patch: JobPatch): Promise<JobRecord | undefined> {
    const set: Partial<JobsTable> = { updated_at: Date.now() };
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.progress !== undefined) set.progress = patch.progress;
    if (patch.message !== undefined) set.message = patch.message;
    if (patch.result !== undefined) set.result = toJson(patch.result);
    if (patch.error !== undefined) set.error = patch.error;
    if (patch.startedAt !== undefined) set.started_at = patch.startedAt;
    if (patch.completedAt !== undefined) set.completed_at = patch.completedAt;
    // A finished job never changes again, even if two nodes race to finish it.
    await this.db.updateTable("jobs").set(set).where("id", "=", id).where("status", "not in", ["completed", "failed"]).execute();
    return this.get(id);
  }
}
