import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import pg from "pg";
import { DEFAULT_POSTGRES_URL } from "../../src/engines/store/postgres.js";
import { connectAs, jobPath, NOTIFICATIONS } from "../dialects/codegraph/helpers.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { REDIS_URL, deleteKeys, uniquePrefix } from "../helpers/redis.js";

const POSTGRES_URL = process.env.LIVEGATE_TEST_POSTGRES_URL ?? DEFAULT_POSTGRES_URL;

async function post<T>(gw: TestGateway, path: string, body: unknown): Promise<T> {
  const res = await gw.api(path, { body });
  const json = (await res.json()) as T;
  assert.ok(res.ok, `POST ${path} failed: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

describe("two gateways on one Redis and one PostgreSQL", () => {
  const keyPrefix = uniquePrefix("cluster-pg");
  const postgresSchema = `lg_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  let a: TestGateway;
  let b: TestGateway;
  before(async () => {
    const broker = { engine: "redis", redisUrl: REDIS_URL, keyPrefix } as const;
    const store = { engine: "postgres", postgresUrl: POSTGRES_URL, postgresSchema, poolSize: 4 } as const;
    // Started at once: both migrate the same fresh schema, which the migrator's lock makes safe.
    [a, b] = await Promise.all([startTestGateway({ broker, store }), startTestGateway({ broker, store })]);
  });
  after(async () => {
    await Promise.all([a?.close(), b?.close()]);
    const redis = new Redis(REDIS_URL);
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    try {
      await deleteKeys(redis, keyPrefix);
      await admin.connect();
      await admin.query(`drop schema if exists "${postgresSchema}" cascade`);
    } finally {
      redis.disconnect();
      await admin.end();
    }
  });

  it("reports both nodes ready", async () => {
    for (const gw of [a, b]) assert.equal((await fetch(`${gw.url}/readyz`)).status, 200);
  });

  it("lets a client of node B follow a job created and advanced through node A's REST API", async () => {
    const job = await post<{ job_id: string }>(a, "/api/v1/jobs", { type: "import", owner: "alice" });
    const { client } = await connectAs(b, jobPath(job.job_id), "alice");
    const started = await client.nextOfType("job.started");
    assert.equal(started.payload.job_id, job.job_id, "node B finds the job node A stored");
    assert.equal(started.payload.status, "pending");
    await post(a, `/api/v1/jobs/${job.job_id}/progress`, { progress: 45, message: "Processing files..." });
    assert.deepEqual((await client.nextOfType("job.progress")).payload, { job_id: job.job_id, progress: 45, message: "Processing files..." });
    await post(a, `/api/v1/jobs/${job.job_id}/complete`, { result: { files_processed: 150 } });
    const completed = await client.nextOfType("job.completed");
    assert.deepEqual(completed.payload.result, { files_processed: 150 });
    client.close();
  });

  it("delivers on node B, from the shared inbox, a notification posted to node A while the user was offline, once", async () => {
    const sent = await post<{ id: string }>(a, "/api/v1/notifications", { user_id: "carol", title: "Import Complete", message: "done", type: "success" });
    const { client } = await connectAs(b, NOTIFICATIONS, "carol");
    const n = await client.nextOfType("notification");
    assert.equal(n.payload.id, sent.id);
    assert.equal(n.payload.title, "Import Complete");
    client.close();
    await client.waitClosed();
    const { client: again } = await connectAs(a, NOTIFICATIONS, "carol");
    assert.ok(await again.nothingWithin(200, (f) => f.type === "notification"), "node A does not deliver it again");
    again.close();
  });
});
