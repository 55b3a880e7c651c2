import type { Transport } from "../../core/connection.js";
import { GatewayError } from "../../core/errors.js";
import type { Principal, Publication } from "../../core/types.js";
import type { AppContext } from "../../services/context.js";
import { JOB_EVENTS, jobChannel, type JobView } from "../../services/jobs.js";
import type { UpgradeContext } from "../dialect.js";
import { jobMessage, jobsCodec } from "./codecs.js";
import { createJobStarted } from "./factories.js";
import { CodeGraphSession } from "./session.js";

const isFinished = (job: JobView): boolean => job.status === "completed" || job.status === "failed";

/**
 * True for a buffered `job.progress` that the snapshot already shows: older than it, or as new and
 * saying the same. Final events are never dropped (a finished snapshot ends the subscription instead).
 */
function coveredBy(snapshot: JobView): (pub: Publication) => boolean {
  return (pub) => {
    if (pub.type !== JOB_EVENTS.progress) return false;
    const v = pub.data as Partial<JobView>;
    if (typeof v.updated_at !== "string") return false;
    if (v.updated_at < snapshot.updated_at) return true;
    return v.updated_at === snapshot.updated_at && v.progress === snapshot.progress && (v.message ?? null) === snapshot.message;
  };
}

/**
 * `/api/v1/ws/jobs/{job_id}`: a job of the user's own, or close 4004 "Job not found" (before
 * `connected`). Then `job.started` with the job's current state, and `job.progress`, `job.completed`,
 * `job.failed` from `job:{id}`. A job that has already finished answers with its final message right
 * after `job.started`; the socket stays open until the client closes it.
 */
export class JobSession extends CodeGraphSession {
  readonly codec = jobsCodec;
  private readonly jobId: string;

  constructor(gw: AppContext, transport: Transport, ctx: UpgradeContext) {
    super(gw, transport, ctx);
    this.jobId = ctx.params.job_id ?? "";
  }

  protected async welcome(principal: Principal): Promise<void> {
    const { hub, jobs } = this.gw;
    // Another user's job is "not found" too: its existence is not revealed.
    await jobs.getFor(principal.userId, this.jobId);
    // Subscribe first, then read the state: nothing published in between is lost.
    const pending = await hub.prepareSubscribe(this.connection, jobChannel(this.jobId));
    const job = await jobs.get(this.jobId);
    if (!job) throw new GatewayError("LG_ERR_JOB_NOT_FOUND", { job_id: this.jobId });
    this.sendConnected(principal);
    this.send(createJobStarted(job));
    if (isFinished(job)) {
      const final = jobMessage(job.status === "completed" ? JOB_EVENTS.completed : JOB_EVENTS.failed, job);
      if (final) this.connection.send(final);
      // A finished job publishes nothing more; its final event, if buffered, was just sent.
      hub.unsubscribe(this.connection, jobChannel(this.jobId));
      return;
    }
    hub.activate(pending, coveredBy(job));
  }
}
