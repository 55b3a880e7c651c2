import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveOptions } from "../../../src/core/options.js";

describe("resolveOptions", () => {
  it("fills every default", () => {
    const o = resolveOptions();
    assert.equal(o.port, 8000);
    assert.equal(o.host, "localhost");
    assert.equal(o.limits.maxFrameBytes, 65536);
    assert.equal(o.history.size, 200);
  });

  it("keeps defaults for nested options not given", () => {
    const o = resolveOptions({ limits: { messagesPerSecond: 5 } });
    assert.equal(o.limits.messagesPerSecond, 5);
    assert.equal(o.limits.messageBurst, 100);
  });

  it("uses the memory broker unless told otherwise, and Redis on 127.0.0.1:6379 under livegate: when told", () => {
    assert.deepEqual(resolveOptions().broker, { engine: "memory", redisUrl: "redis://127.0.0.1:6379", keyPrefix: "livegate:" });
    assert.equal(resolveOptions({ broker: { engine: "redis" } }).broker.redisUrl, "redis://127.0.0.1:6379");
  });

  it("rejects an unknown broker engine and a Redis URL of another scheme", () => {
    assert.throws(() => resolveOptions({ broker: { engine: "kafka" as "redis" } }), /broker\.engine/);
    assert.throws(() => resolveOptions({ broker: { redisUrl: "http://127.0.0.1:6379" } }), /broker\.redisUrl: expected a redis:\/\/ or rediss:\/\/ URL/);
  });

  it("uses the SQLite store unless told otherwise, and PostgreSQL on 127.0.0.1:5432 when told", () => {
    assert.deepEqual(resolveOptions().store, { engine: "sqlite", postgresUrl: "postgres://postgres@127.0.0.1:5432/test", poolSize: 10, postgresSchema: "public" });
    assert.equal(resolveOptions({ store: { engine: "postgres" } }).store.postgresUrl, "postgres://postgres@127.0.0.1:5432/test");
  });

  it("rejects an unknown store engine, a PostgreSQL URL of another scheme, a pool of 0 and a schema that is no identifier", () => {
    assert.throws(() => resolveOptions({ store: { engine: "mysql" as "postgres" } }), /store\.engine/);
    assert.throws(() => resolveOptions({ store: { postgresUrl: "mysql://127.0.0.1/test" } }), /store\.postgresUrl: expected a postgres:\/\/ or postgresql:\/\/ URL/);
    assert.throws(() => resolveOptions({ store: { poolSize: 0 } }), /store\.poolSize/);
    assert.throws(() => resolveOptions({ store: { postgresSchema: "a; drop table jobs" } }), /store\.postgresSchema/);
  });

  it("rejects unknown options with a TypeError naming them", () => {
    assert.throws(() => resolveOptions({ limits: { maxFrame: 1 } } as never), (e: Error) => e instanceof TypeError && /maxFrame/.test(e.message));
  });

  it("rejects two key sources at once", () => {
    assert.throws(() => resolveOptions({ auth: { jwtSecret: "x".repeat(32), jwksUrl: "https://example.test/jwks" } }), /only one of/);
  });

  it("rejects an idle timeout not above the ping interval", () => {
    assert.throws(() => resolveOptions({ limits: { pingIntervalMs: 1000, idleTimeoutMs: 1000 } }), /idleTimeoutMs/);
  });
});
