import { randomUUID } from "node:crypto";
import type { Broker } from "../engines/broker/broker.js";
import type { JobRecord, JobStore } from "../engines/store/store.js";
import { GatewayError } from "../core/errors.js";
import type { ChannelPolicy } from "../core/policy.js";
import type { ChannelName, UserId } from "../core/types.js";

/** A job as every dialect sees it: snake_case, ISO times. Also the data of every `job.*` publication. */
export interface JobView {
  job_id: string;
  job_type: string;
  owner: string;
  status: JobRecord["status"];
  progress: number;
  message: string | null;
  metadata: unknown;
  result: unknown;
  error: string | null;
  created_at: string;
  started_at: string | null;
  updated_at: string;
  completed_at: string | null;
}

/** Event types published on a job's channel. */
export const JOB_EVENTS = { progress: "job.progress", completed: "job.completed", failed: "job.failed" } as const;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The JSON view of a job record. */
export function jobView(j: JobRecord): JobView {
  return {
    job_id: j.id,
    job_type: j.type,
    owner: j.owner,
    status: j.status,
    progress: j.progress,
    message: j.message,
    metadata: j.metadata,
    result: j.result,
    error: j.error,
    created_at: iso(j.createdAt)!,
    started_at: iso(j.startedAt),
    updated_at: iso(j.updatedAt)!,
    completed_at: iso(j.completedAt),
  };
}

/** Channel of one job's events. */
export const jobChannel = (jobId: string): ChannelName => `job:${jobId}`;

/**
 * Background jobs: stored (progress survives a restart), owned by one user, and published on
 * `job:{id}` as `job.progress`, `job.completed`, `job.failed` with the job's full view as data.
 */
export class JobService {
  /** Changes to one job run one at a time, so a job finishes once and nothing is published after it. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: JobStore,
    private readonly broker: Broker,
    policy: ChannelPolicy,
  ) {
    // Only the owner may follow a job's channel.
    policy.addSubscribeRule(async (who, channel) => {
      if (!channel.startsWith("job:")) return undefined;
      const job = await this.store.get(channel.slice(4));
      return job !== undefined && job.owner === who.userId;
    });
  }

  /** Creates a pending job. @throws GatewayError LG_ERR_JOB_EXISTS when a job with `id` exists */
  async create(input: { type: string; owner: UserId; metadata?: unknown; id?: string }): Promise<JobView> {
    const id = input.id ?? randomUUID();
    const taken = () => new GatewayError("LG_ERR_JOB_EXISTS", { job_id: id });
    return this.serial(id, async () => {
      if (input.id !== undefined && (await this.store.get(id))) throw taken();
      try {
        return jobView(await this.store.create({ id, type: input.type, owner: input.owner, metadata: input.metadata ?? {} }));
      } catch (err) {
        // Another node created it between the check and the insert.
        if (await this.store.get(id)) throw taken();
        throw err;
      }
    });
  }

  async get(id: string): Promise<JobView | undefined> {
    const job = await this.store.get(id);
    return job ? jobView(job) : undefined;
  }

  /** The job if `user` owns it. @throws GatewayError LG_ERR_JOB_NOT_FOUND (also for another user's job) */
  async getFor(user: UserId, id: string): Promise<JobView> {
    const job = await this.get(id);
    if (!job || job.owner !== user) throw new GatewayError("LG_ERR_JOB_NOT_FOUND", { job_id: id });
    return job;
  }

  /** Records progress (0–100); the first progress marks the job started. */
  progress(id: string, progress: number, message?: string): Promise<JobView> {
    return this.serial(id, async () => {
      const job = await this.unfinished(id);
      const patch = { progress: Math.max(0, Math.min(100, progress)), message: message ?? null };
      const started = job.status === "pending" ? { status: "started" as const, startedAt: Date.now() } : {};
      return this.apply(id, { ...patch, ...started }, JOB_EVENTS.progress);
    });
  }

  /** Finishes the job successfully with `result`. */
  complete(id: string, result: unknown): Promise<JobView> {
    return this.serial(id, async () => {
      const job = await this.unfinished(id);
      const now = Date.now();
      return this.apply(id, { status: "completed", progress: 100, result: result ?? null, completedAt: now, ...(job.startedAt ? {} : { startedAt: now }) }, JOB_EVENTS.completed);
    });
  }

  /** Finishes the job with an error. */
  fail(id: string, error: string): Promise<JobView> {
    return this.serial(id, async () => {
      const job = await this.unfinished(id);
      const now = Date.now();
      return this.apply(id, { status: "failed", error, completedAt: now, ...(job.startedAt ? {} : { startedAt: now }) }, JOB_EVENTS.failed);
    });
  }

  /** Runs `fn` after every earlier change to job `id` has settled. */
  private serial<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(id) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.queues.set(id, tail);
    void tail.then(() => {
      if (this.queues.get(id) === tail) this.queues.delete(id);
    });
    return run;
  }

  private async unfinished(id: string): Promise<JobRecord> {
    const job = await this.store.get(id);
    if (!job) throw new GatewayError("LG_ERR_JOB_NOT_FOUND", { job_id: id });
    if (job.status === "completed" || job.status === "failed") throw new GatewayError("LG_ERR_JOB_FINISHED", { job_id: id, status: job.status });
    return job;
  }

  private async apply(id: string, patch: Parameters<JobStore["update"]>[1], event: string): Promise<JobView> {
    const updated = await this.store.update(id, patch);
    if (!updated) throw new GatewayError("LG_ERR_JOB_NOT_FOUND", { job_id: id });
    // The store leaves a finished job alone; if another node finished it first, this change did not apply.
    const applied = patch.completedAt === undefined ? updated.completedAt === null : updated.completedAt === patch.completedAt && updated.status === patch.status;
    if (!applied) throw new GatewayError("LG_ERR_JOB_FINISHED", { job_id: id, status: updated.status });
    const view = jobView(updated);
    await this.broker.publish(jobChannel(id), { type: event, data: view });
    return view;
  }
}
