import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { TestClient } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { assertRecentIso, expectJson, expectJsonError } from "../../helpers/http.js";

interface Job {
  job_id: string;
  job_type: string;
  owner: string;
  status: string;
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

const JOB_KEYS = ["completed_at", "created_at", "error", "job_id", "job_type", "message", "metadata", "owner", "progress", "result", "started_at", "status", "updated_at"];

describe("REST /api/v1/jobs", () => {
  let gw: TestGateway;
  let clients: TestClient[] = [];
  let n = 0;

  async function createJob(owner = "alice", extra: Record<string, unknown> = {}): Promise<Job> {
    const res = await gw.api("/api/v1/jobs", { body: { type: "import", owner, ...extra } });
    return expectJson<Job>(res, 201, "create job");
  }

  const post = (path: string, body?: unknown) => gw.api(path, { method: "POST", body: body ?? {} });

  async function connect(user: string): Promise<TestClient> {
    const client = await TestClient.connect(gw.wsUrl("/ws", { token: await gw.token(user) }));
    clients.push(client);
    await client.nextOfType("connected");
    return client;
  }

  before(async () => {
    gw = await startTestGateway();
  });
  afterEach(() => {
    for (const c of clients) c.close();
    clients = [];
  });
  after(() => gw.close());

  describe("POST /api/v1/jobs", () => {
    it("creates a pending job and answers 201 with its view", async () => {
      const job = await createJob("alice", { metadata: { project: "myapp" } });
      assert.deepEqual(Object.keys(job).sort(), JOB_KEYS, `job view keys: ${JSON.stringify(job)}`);
      assert.match(job.job_id, /^[0-9a-f-]{36}$/, "a generated job id");
      assert.equal(job.job_type, "import", "job_type");
      assert.equal(job.owner, "alice", "owner");
      assert.equal(job.status, "pending", "status");
      assert.equal(job.progress, 0, "progress");
      assert.deepEqual(job.metadata, { project: "myapp" }, "metadata");
      assertRecentIso(job.created_at, "created_at");
      assert.equal(job.started_at, null, "started_at");
    });

    it("takes the caller's job_id", async () => {
      const job = await createJob("alice", { job_id: `given-${++n}` });
      assert.equal(job.job_id, `given-${n}`, "job_id");
    });

    it("refuses a job_id that is taken with 400, leaving the first job untouched", async () => {
      const id = `dup-${++n}`;
      await createJob("alice", { job_id: id });
      await expectJsonError(await gw.api("/api/v1/jobs", { body: { type: "other", owner: "bob", job_id: id } }), 409, "LG_ERR_JOB_EXISTS", "duplicate job_id");
      const job = await expectJson<Job>(await gw.api(`/api/v1/jobs/${id}`), 200, "get the first job");
      assert.equal(job.owner, "alice", "first job untouched");
    });

    const bad: [string, unknown][] = [
      ["no type", { owner: "alice" }],
      ["no owner", { type: "import" }],
      ["an empty type", { type: "", owner: "alice" }],
      ["metadata that is not an object", { type: "import", owner: "alice", metadata: [1, 2] }],
      ["a job_id with a slash", { type: "import", owner: "alice", job_id: "a/b" }],
      ["a JSON array", [1]],
      ["malformed JSON", "{not json"],
    ];
    for (const [what, body] of bad) {
      it(`answers 400 LG_ERR_REQUEST_INVALID for ${what}`, async () => {
        await expectJsonError(await gw.api("/api/v1/jobs", { body }), 400, "LG_ERR_REQUEST_INVALID", what);
      });
    }

    it("answers 401 without the API key or with a wrong one", async () => {
      await expectJsonError(await gw.api("/api/v1/jobs", { body: { type: "x", owner: "a" }, headers: { authorization: "" } }), 401, "LG_ERR_API_KEY", "no key");
      await expectJsonError(await gw.api("/api/v1/jobs", { body: { type: "x", owner: "a" }, headers: { authorization: "Bearer wrong-key-0123456789" } }), 401, "LG_ERR_API_KEY", "wrong key");
      const token = await gw.token("alice");
      await expectJsonError(await gw.api("/api/v1/jobs", { body: { type: "x", owner: "a" }, headers: { authorization: `Bearer ${token}` } }), 401, "LG_ERR_API_KEY", "a user's JWT is not the API key");
    });
  });

  describe("GET /api/v1/jobs/{id}", () => {
    it("returns the job's current view", async () => {
      const job = await createJob();
      await expectJson(await post(`/api/v1/jobs/${job.job_id}/progress`, { progress: 20, message: "going" }), 200, "progress");
      const got = await expectJson<Job>(await gw.api(`/api/v1/jobs/${job.job_id}`), 200, "get");
      assert.equal(got.progress, 20, "progress");
      assert.equal(got.message, "going", "message");
      assert.equal(got.status, "started", "status");
    });

    it("answers 404 LG_ERR_JOB_NOT_FOUND for an unknown job", async () => {
      const message = await expectJsonError(await gw.api("/api/v1/jobs/no-such-job"), 404, "LG_ERR_JOB_NOT_FOUND", "unknown job");
      assert.match(message, /no-such-job/, "the message names the job");
    });

    it("answers 401 without the API key", async () => {
      const job = await createJob();
      await expectJsonError(await gw.api(`/api/v1/jobs/${job.job_id}`, { headers: { authorization: "" } }), 401, "LG_ERR_API_KEY", "get without key");
    });
  });

  describe("progress, complete, fail", () => {
    it("moves a job pending → started → completed", async () => {
      const job = await createJob();
      const p = await expectJson<Job>(await post(`/api/v1/jobs/${job.job_id}/progress`, { progress: 45, message: "Processing files..." }), 200, "progress");
      assert.equal(p.status, "started", "status after progress");
      assert.equal(p.progress, 45, "progress");
      assertRecentIso(p.started_at, "started_at");
      const c = await expectJson<Job>(await post(`/api/v1/jobs/${job.job_id}/complete`, { result: { files_processed: 150, vulnerabilities_found: 3 } }), 200, "complete");
      assert.equal(c.status, "completed", "status");
      assert.equal(c.progress, 100, "progress at completion");
      assert.deepEqual(c.result, { files_processed: 150, vulnerabilities_found: 3 }, "result");
      assert.equal(c.error, null, "error");
      assertRecentIso(c.completed_at, "completed_at");
    });

    it("completes without a body, with a null result", async () => {
      const job = await createJob();
      const res = await fetch(`${gw.url}/api/v1/jobs/${job.job_id}/complete`, { method: "POST", headers: { authorization: `Bearer ${gw.apiKey}` } });
      const c = await expectJson<Job>(res, 200, "complete without body");
      assert.equal(c.status, "completed", "status");
      assert.equal(c.result, null, "result");
    });

    it("fails a job with its error", async () => {
      const job = await createJob();
      const f = await expectJson<Job>(await post(`/api/v1/jobs/${job.job_id}/fail`, { error: "Connection timeout" }), 200, "fail");
      assert.equal(f.status, "failed", "status");
      assert.equal(f.error, "Connection timeout", "error");
      assert.equal(f.result, null, "result");
      assertRecentIso(f.completed_at, "completed_at");
    });

    it("answers 409 LG_ERR_JOB_FINISHED to any change after the job finished", async () => {
      for (const finish of ["complete", "fail"] as const) {
        const job = await createJob();
        await expectJson(await post(`/api/v1/jobs/${job.job_id}/${finish}`, finish === "fail" ? { error: "x" } : {}), 200, finish);
        await expectJsonError(await post(`/api/v1/jobs/${job.job_id}/progress`, { progress: 50 }), 409, "LG_ERR_JOB_FINISHED", `progress after ${finish}`);
        await expectJsonError(await post(`/api/v1/jobs/${job.job_id}/complete`, {}), 409, "LG_ERR_JOB_FINISHED", `complete after ${finish}`);
        await expectJsonError(await post(`/api/v1/jobs/${job.job_id}/fail`, { error: "late" }), 409, "LG_ERR_JOB_FINISHED", `fail after ${finish}`);
        const got = await expectJson<Job>(await gw.api(`/api/v1/jobs/${job.job_id}`), 200, "get");
        assert.equal(got.status, finish === "fail" ? "failed" : "completed", "the final state is kept");
      }
    });

    it("finishes a job once when two backends complete it at the same time", async () => {
      const job = await createJob();
      const [a, b] = await Promise.all([post(`/api/v1/jobs/${job.job_id}/complete`, { result: "a" }), post(`/api/v1/jobs/${job.job_id}/complete`, { result: "b" })]);
      assert.deepEqual([a.status, b.status].sort(), [200, 409], `one 200 and one 409: ${a.status}, ${b.status}`);
    });

    const badProgress: [string, unknown][] = [
      ["no progress", {}],
      ["progress as a string", { progress: "50" }],
      ["progress above 100", { progress: 101 }],
      ["negative progress", { progress: -1 }],
      ["a message that is not a string", { progress: 5, message: 5 }],
    ];
    for (const [what, body] of badProgress) {
      it(`answers 400 to progress with ${what}`, async () => {
        const job = await createJob();
        await expectJsonError(await post(`/api/v1/jobs/${job.job_id}/progress`, body), 400, "LG_ERR_REQUEST_INVALID", what);
        const got = await expectJson<Job>(await gw.api(`/api/v1/jobs/${job.job_id}`), 200, "get");
        assert.equal(got.status, "pending", "a refused progress changes nothing");
      });
    }

    it("answers 400 to fail without an error", async () => {
      const job = await createJob();
      await expectJsonError(await post(`/api/v1/jobs/${job.job_id}/fail`, {}), 400, "LG_ERR_REQUEST_INVALID", "fail without error");
      await expectJsonError(await post(`/api/v1/jobs/${job.job_id}/fail`, { error: "" }), 400, "LG_ERR_REQUEST_INVALID", "fail with an empty error");
    });

    it("answers 404 for progress, complete and fail of an unknown job", async () => {
      await expectJsonError(await post("/api/v1/jobs/ghost/progress", { progress: 1 }), 404, "LG_ERR_JOB_NOT_FOUND", "progress");
      await expectJsonError(await post("/api/v1/jobs/ghost/complete", {}), 404, "LG_ERR_JOB_NOT_FOUND", "complete");
      await expectJsonError(await post("/api/v1/jobs/ghost/fail", { error: "x" }), 404, "LG_ERR_JOB_NOT_FOUND", "fail");
    });

    it("answers 401 without the API key", async () => {
      const job = await createJob();
      for (const action of ["progress", "complete", "fail"]) {
        await expectJsonError(await gw.api(`/api/v1/jobs/${job.job_id}/${action}`, { body: { progress: 1, error: "x" }, headers: { authorization: "" } }), 401, "LG_ERR_API_KEY", action);
      }
      const got = await expectJson<Job>(await gw.api(`/api/v1/jobs/${job.job_id}`), 200, "get");
      assert.equal(got.status, "pending", "nothing changed");
    });
  });

  describe("the job:{id} channel on /ws", () => {
    it("lets the owner follow a job's progress, completion included", async () => {
      const job = await createJob("owner-1");
      const client = await connect("owner-1");
      const sub = await client.request("subscribe", { channel: `job:${job.job_id}` });
      assert.equal(sub.type, "subscribed", `the owner should be allowed: ${JSON.stringify(sub)}`);
      const progress = await expectJson<Job>(await post(`/api/v1/jobs/${job.job_id}/progress`, { progress: 45, message: "Processing files..." }), 200, "progress");
      const ev = await client.next((f) => f.channel === `job:${job.job_id}`, 2000, "the job.progress event");
      assert.equal(ev.type, "job.progress", "event type");
      assert.deepEqual(ev.data, progress, "the event carries the job's view, as REST answered it");
      const done = await expectJson<Job>(await post(`/api/v1/jobs/${job.job_id}/complete`, { result: { ok: true } }), 200, "complete");
      const ev2 = await client.next((f) => f.channel === `job:${job.job_id}`, 2000, "the job.completed event");
      assert.equal(ev2.type, "job.completed", "event type");
      assert.deepEqual(ev2.data, done, "completed view");
    });

    it("refuses another user with subscription_failed and sends them nothing", async () => {
      const job = await createJob("owner-2");
      const other = await connect("intruder");
      const reply = await other.request("subscribe", { channel: `job:${job.job_id}` });
      assert.equal(reply.type, "error", `another user should be refused: ${JSON.stringify(reply)}`);
      assert.equal(reply.data?.code, "subscription_failed", "error code");
      await expectJson(await post(`/api/v1/jobs/${job.job_id}/progress`, { progress: 10 }), 200, "progress");
      assert.ok(await other.nothingWithin(200, (f) => f.channel === `job:${job.job_id}`), "the intruder must not receive the job's events");
    });

    it("refuses a channel of an unknown job with subscription_failed", async () => {
      const client = await connect("owner-3");
      const reply = await client.request("subscribe", { channel: "job:never-created" });
      assert.equal(reply.data?.code, "subscription_failed", `unknown job: ${JSON.stringify(reply)}`);
    });
  });
});
