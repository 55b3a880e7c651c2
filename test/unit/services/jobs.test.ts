import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GatewayError } from "../../../src/core/errors.js";
import { ChannelPolicy } from "../../../src/core/policy.js";
import { MemoryBroker } from "../../../src/engines/broker/memory.js";
import { JobService, jobChannel, type JobView } from "../../../src/services/jobs.js";
import { openTempStore, type TempStore } from "../../helpers/temp-store.js";

const isCode = (code: string) => (e: unknown) => e instanceof GatewayError && e.code === code;

describe("JobService over SQLite and the memory broker", () => {
  let t: TempStore;
  let broker: MemoryBroker;
  let policy: ChannelPolicy;
  let jobs: JobService;
  let n = 0;
  const newId = () => `job-${++n}`;

  /** What was published on the job's channel: [type, status, progress]. */
  async function published(id: string): Promise<[string, string, number][]> {
    const h = await broker.history(jobChannel(id), {});
    return h.publications.map((p) => [p.type, (p.data as JobView).status, (p.data as JobView).progress]);
  }

  before(async () => {
    t = await openTempStore();
    broker = new MemoryBroker({ size: 100, ttlMs: 60_000, metaTtlMs: 60_000 });
    policy = new ChannelPolicy();
    jobs = new JobService(t.store.jobs, broker, policy);
  });
  after(async () => {
    await broker.close();
    await t.close();
  });

  it("creates a pending job with its view", async () => {
    const id = newId();
    const job = await jobs.create({ id, type: "import", owner: "alice", metadata: { project: "p1" } });
    assert.equal(job.job_id, id, "job_id");
    assert.equal(job.job_type, "import", "job_type");
    assert.equal(job.owner, "alice", "owner");
    assert.equal(job.status, "pending", "status");
    assert.equal(job.progress, 0, "progress");
    assert.deepEqual(job.metadata, { project: "p1" }, "metadata");
    assert.equal(job.started_at, null, "not started");
    assert.equal(job.completed_at, null, "not completed");
    assert.deepEqual(await jobs.get(id), job, "get returns the same view");
  });

  it("marks the job started on its first progress and publishes job.progress each time", async () => {
    const id = newId();
    await jobs.create({ id, type: "scan", owner: "alice" });
    const p1 = await jobs.progress(id, 10, "Reading files");
    assert.equal(p1.status, "started", "first progress starts the job");
    assert.ok(p1.started_at, "started_at set");
    const p2 = await jobs.progress(id, 45, "Processing files...");
    assert.equal(p2.started_at, p1.started_at, "started_at kept");
    assert.equal(p2.message, "Processing files...", "message");
    assert.deepEqual(await published(id), [
      ["job.progress", "started", 10],
      ["job.progress", "started", 45],
    ], "publications on the job channel");
  });

  it("clamps progress to 0–100", async () => {
    const id = newId();
    await jobs.create({ id, type: "scan", owner: "alice" });
    assert.equal((await jobs.progress(id, 250)).progress, 100, "above 100");
    assert.equal((await jobs.progress(id, -5)).progress, 0, "below 0");
  });

  it("completes with a result and publishes job.completed; then refuses changes with LG_ERR_JOB_FINISHED", async () => {
    const id = newId();
    await jobs.create({ id, type: "import", owner: "alice" });
    const done = await jobs.complete(id, { files_processed: 150 });
    assert.equal(done.status, "completed", "status");
    assert.equal(done.progress, 100, "progress");
    assert.deepEqual(done.result, { files_processed: 150 }, "result");
    assert.ok(done.completed_at && done.started_at, "completed_at and started_at set");
    await assert.rejects(jobs.progress(id, 50), isCode("LG_ERR_JOB_FINISHED"), "progress after completion");
    await assert.rejects(jobs.complete(id, {}), isCode("LG_ERR_JOB_FINISHED"), "complete twice");
    await assert.rejects(jobs.fail(id, "late"), isCode("LG_ERR_JOB_FINISHED"), "fail after completion");
    assert.deepEqual(await published(id), [["job.completed", "completed", 100]], "exactly one publication");
  });

  it("fails with an error and publishes job.failed", async () => {
    const id = newId();
    await jobs.create({ id, type: "import", owner: "alice" });
    await jobs.progress(id, 30);
    const failed = await jobs.fail(id, "Connection timeout");
    assert.equal(failed.status, "failed", "status");
    assert.equal(failed.error, "Connection timeout", "error");
    assert.equal(failed.progress, 30, "progress kept");
    await assert.rejects(jobs.progress(id, 40), isCode("LG_ERR_JOB_FINISHED"), "progress after failure");
    assert.deepEqual((await published(id)).map((p) => p[0]), ["job.progress", "job.failed"], "publications");
  });

  it("finishes a job once when complete, fail and progress race", async () => {
    const id = newId();
    await jobs.create({ id, type: "race", owner: "alice" });
    await jobs.progress(id, 5);
    const outcomes = await Promise.allSettled([jobs.complete(id, { a: 1 }), jobs.fail(id, "boom"), jobs.complete(id, { b: 2 }), jobs.progress(id, 90)]);
    const ok = outcomes.filter((o) => o.status === "fulfilled");
    const finished = outcomes.filter((o) => o.status === "rejected" && isCode("LG_ERR_JOB_FINISHED")(o.reason));
    const finishers = ok.filter((o) => (o as PromiseFulfilledResult<JobView>).value.status !== "started");
    assert.equal(finishers.length, 1, `exactly one call should finish the job: ${JSON.stringify(outcomes.map((o) => (o.status === "fulfilled" ? o.value.status : String(o.reason))))}`);
    assert.equal(ok.length + finished.length, outcomes.length, "the others fail with LG_ERR_JOB_FINISHED");
    const finals = (await published(id)).filter(([type]) => type !== "job.progress");
    assert.equal(finals.length, 1, `exactly one final publication: ${JSON.stringify(await published(id))}`);
    const after = await published(id);
    const last = after.at(-1)!;
    assert.notEqual(last[0], "job.progress", `nothing is published after the final event: ${JSON.stringify(after)}`);
  });

  it("answers LG_ERR_JOB_NOT_FOUND for an unknown job", async () => {
    await assert.rejects(jobs.progress("nope", 1), isCode("LG_ERR_JOB_NOT_FOUND"), "progress");
    await assert.rejects(jobs.complete("nope", null), isCode("LG_ERR_JOB_NOT_FOUND"), "complete");
    await assert.rejects(jobs.fail("nope", "x"), isCode("LG_ERR_JOB_NOT_FOUND"), "fail");
    assert.equal(await jobs.get("nope"), undefined, "get");
  });

  it("refuses a second job with the same id", async () => {
    const id = newId();
    await jobs.create({ id, type: "a", owner: "alice" });
    await assert.rejects(jobs.create({ id, type: "b", owner: "bob" }), (e: unknown) => e instanceof GatewayError && e.status < 500 && e.message.includes(id), "a duplicate id should be a client error naming the id");
    assert.equal((await jobs.get(id))?.owner, "alice", "the first job is untouched");
  });

  it("gives a job only to its owner: getFor and the job channel's subscribe rule", async () => {
    const id = newId();
    await jobs.create({ id, type: "a", owner: "alice" });
    assert.equal((await jobs.getFor("alice", id)).job_id, id, "the owner gets the job");
    await assert.rejects(jobs.getFor("bob", id), isCode("LG_ERR_JOB_NOT_FOUND"), "another user is told it does not exist");
    const alice = { userId: "alice", claims: {} };
    const bob = { userId: "bob", claims: { channels: ["job:*"] } };
    assert.equal(await policy.canSubscribe(alice, jobChannel(id)), true, "the owner may follow the job");
    assert.equal(await policy.canSubscribe(bob, jobChannel(id)), false, "another user may not, whatever the channels claim");
    assert.equal(await policy.canSubscribe(alice, jobChannel("unknown-job")), false, "nobody may follow an unknown job");
  });

  it("keeps a job's progress across a restart", async () => {
    const id = newId();
    await jobs.create({ id, type: "long", owner: "alice" });
    await jobs.progress(id, 60, "over half");
    const store = await t.reopen();
    const again = new JobService(store.jobs, broker, new ChannelPolicy());
    const job = await again.get(id);
    assert.equal(job?.progress, 60, "progress after restart");
    assert.equal(job?.status, "started", "status after restart");
    assert.equal(job?.message, "over half", "message after restart");
    jobs = again;
  });
});
