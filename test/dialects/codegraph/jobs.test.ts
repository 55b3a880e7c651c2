import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { TestClient } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { assertClosedWith, connectAs, ISO_UTC, jobPath } from "./helpers.js";

interface JobView {
  job_id: string;
  status: string;
  progress: number;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

async function call(gw: TestGateway, path: string, body: unknown): Promise<JobView> {
  const res = await gw.api(path, { body });
  const json = (await res.json()) as JobView;
  assert.ok(res.ok, `POST ${path} failed: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const createJob = (gw: TestGateway, owner: string, type = "import") => call(gw, "/api/v1/jobs", { type, owner });

describe("codegraph job sockets", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  it('closes with 4004 "Job not found", without connected, for a job that does not exist', async () => {
    const client = await TestClient.connect(gw.wsUrl(jobPath("no-such-job"), { token: await gw.token("alice") }));
    await assertClosedWith(client, 4004, "Job not found", "unknown job");
    assert.deepEqual(client.frames.map((f) => f.type), ["error", "disconnected"]);
    assert.equal(client.frames[0]!.payload.error, "Job not found");
  });

  it("closes with 4004 for another user's job, as if it did not exist", async () => {
    const job = await createJob(gw, "alice");
    const client = await TestClient.connect(gw.wsUrl(jobPath(job.job_id), { token: await gw.token("mallory") }));
    await assertClosedWith(client, 4004, "Job not found", "another user's job");
    assert.ok(!client.frames.some((f) => f.type === "connected" || f.type === "job.started"), "nothing about the job is revealed");
  });

  it("sends job.started with the job's state, then job.progress and job.completed as the backend reports them", async () => {
    const job = await createJob(gw, "alice");
    const { client } = await connectAs(gw, jobPath(job.job_id), "alice");
    const started = await client.nextOfType("job.started");
    assert.deepEqual(started.payload, {
      job_id: job.job_id,
      status: "pending",
      progress: 0,
      job_type: "import",
      started_at: null,
      created_at: job.created_at,
    });
    assert.match(started.timestamp as string, ISO_UTC);

    await call(gw, `/api/v1/jobs/${job.job_id}/progress`, { progress: 45, message: "Processing files..." });
    const progress = await client.nextOfType("job.progress");
    assert.deepEqual(progress.payload, { job_id: job.job_id, progress: 45, message: "Processing files..." });
    await call(gw, `/api/v1/jobs/${job.job_id}/progress`, { progress: 60 });
    assert.deepEqual((await client.nextOfType("job.progress")).payload, { job_id: job.job_id, progress: 60 }, "message is left out when there is none");

    const done = await call(gw, `/api/v1/jobs/${job.job_id}/complete`, { result: { files_processed: 150, vulnerabilities_found: 3 } });
    const completed = await client.nextOfType("job.completed");
    assert.deepEqual(completed.payload, {
      job_id: job.job_id,
      status: "completed",
      result: { files_processed: 150, vulnerabilities_found: 3 },
      error: null,
      completed_at: done.completed_at,
    });
    assert.ok(await client.nothingWithin(100), "nothing follows the final message");
    client.close();
  });

  it("sends job.failed with the error when the backend fails the job", async () => {
    const job = await createJob(gw, "alice");
    const { client } = await connectAs(gw, jobPath(job.job_id), "alice");
    await client.nextOfType("job.started");
    const failed = await call(gw, `/api/v1/jobs/${job.job_id}/fail`, { error: "Connection timeout" });
    const msg = await client.nextOfType("job.failed");
    assert.deepEqual(msg.payload, { job_id: job.job_id, status: "failed", result: null, error: "Connection timeout", completed_at: failed.completed_at });
    client.close();
  });

  it("answers a job that has already finished with job.started, then its final message at once", async () => {
    const ok = await createJob(gw, "alice");
    await call(gw, `/api/v1/jobs/${ok.job_id}/complete`, { result: { n: 1 } });
    const { client } = await connectAs(gw, jobPath(ok.job_id), "alice");
    const [started, final] = [await client.next(), await client.next()];
    assert.deepEqual([started.type, started.payload.status, started.payload.progress], ["job.started", "completed", 100]);
    assert.deepEqual([final.type, final.payload.result], ["job.completed", { n: 1 }]);
    client.close();

    const bad = await createJob(gw, "alice");
    await call(gw, `/api/v1/jobs/${bad.job_id}/fail`, { error: "disk full" });
    const { client: c2 } = await connectAs(gw, jobPath(bad.job_id), "alice");
    assert.equal((await c2.next()).type, "job.started");
    const f = await c2.next();
    assert.deepEqual([f.type, f.payload.error, f.payload.status], ["job.failed", "disk full", "failed"]);
    c2.close();
  });

  it("loses no update and repeats no final message when progress keeps coming while the socket connects", async () => {
    const job = await createJob(gw, "alice");
    const steps = 30;
    const reporting = (async () => {
      for (let i = 1; i <= steps; i++) await call(gw, `/api/v1/jobs/${job.job_id}/progress`, { progress: i, message: `step ${i}` });
      await call(gw, `/api/v1/jobs/${job.job_id}/complete`, { result: { steps } });
    })();
    const { client } = await connectAs(gw, jobPath(job.job_id), "alice");
    await reporting;
    const started = await client.nextOfType("job.started");
    await client.nextOfType("job.completed");
    assert.ok(await client.nothingWithin(100, (f) => f.type === "job.completed"), "job.completed comes once");
    const progress = client.frames.filter((f) => f.type === "job.progress").map((f) => f.payload.progress as number);
    if (started.payload.status !== "completed") {
      assert.equal(progress.at(-1) ?? started.payload.progress, steps, `the last progress before completion is shown; saw ${progress.join(",")}`);
      assert.equal(new Set(progress).size, progress.length, `no progress update is shown twice; saw ${progress.join(",")}`);
    }
    client.close();
  });

  it("lets several sockets of the owner follow the same job", async () => {
    const job = await createJob(gw, "alice");
    const clients = await Promise.all([1, 2].map(async () => (await connectAs(gw, jobPath(job.job_id), "alice")).client));
    for (const c of clients) await c.nextOfType("job.started");
    await call(gw, `/api/v1/jobs/${job.job_id}/progress`, { progress: 10, message: "start" });
    for (const c of clients) assert.equal((await c.nextOfType("job.progress")).payload.progress, 10);
    for (const c of clients) c.close();
  });
});

describe("codegraph jobs across a restart", () => {
  it("shows the stored progress in job.started after the gateway restarts on the same data dir", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "livegate-cg-jobs-"));
    try {
      const first = await startTestGateway({ dataDir });
      const job = await createJob(first, "alice", "analysis");
      await call(first, `/api/v1/jobs/${job.job_id}/progress`, { progress: 45, message: "Processing files..." });
      await first.close();

      const second = await startTestGateway({ dataDir });
      try {
        const { client } = await connectAs(second, jobPath(job.job_id), "alice");
        const started = await client.nextOfType("job.started");
        assert.deepEqual(
          [started.payload.status, started.payload.progress, started.payload.job_type],
          ["started", 45, "analysis"],
          "job.started shows what was stored before the restart",
        );
        assert.match(started.payload.started_at as string, ISO_UTC);
        await call(second, `/api/v1/jobs/${job.job_id}/complete`, { result: { ok: true } });
        assert.deepEqual((await client.nextOfType("job.completed")).payload.result, { ok: true });
        client.close();
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
