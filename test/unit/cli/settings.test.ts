import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { optionsFrom, SETTINGS } from "../../../src/cli/settings.js";
import { resolveOptions } from "../../../src/core/options.js";

describe("serve settings", () => {
  it("map LIVEGATE_* variables and PORT to options", () => {
    const o = optionsFrom({ PORT: "9000", LIVEGATE_MAX_FRAME_BYTES: "4096", LIVEGATE_JWT_SECRET: "s".repeat(20) }, {});
    assert.deepEqual(o, { port: 9000, limits: { maxFrameBytes: 4096 }, auth: { jwtSecret: "s".repeat(20) } });
  });

  it("map the broker settings to the broker group", () => {
    const o = optionsFrom({ LIVEGATE_BROKER: "redis", LIVEGATE_REDIS_URL: "redis://10.0.0.5:6380/1" }, { "redis-key-prefix": "prod:" });
    assert.deepEqual(o, { broker: { engine: "redis", redisUrl: "redis://10.0.0.5:6380/1", keyPrefix: "prod:" } });
  });

  it("map the store settings to the store group", () => {
    const o = optionsFrom({ LIVEGATE_STORE: "postgres", LIVEGATE_POSTGRES_URL: "postgres://lg@db:5432/prod", LIVEGATE_POSTGRES_POOL_SIZE: "20" }, { "postgres-schema": "gateway" });
    assert.deepEqual(o, { store: { engine: "postgres", postgresUrl: "postgres://lg@db:5432/prod", poolSize: 20, postgresSchema: "gateway" } });
  });

  it("let flags win over environment variables", () => {
    assert.equal(optionsFrom({ LIVEGATE_PORT: "9000" }, { port: "9100" }).port, 9100);
  });

  it("reject a non-number where a number is expected", () => {
    assert.throws(() => optionsFrom({ LIVEGATE_HISTORY_SIZE: "lots" }, {}), /--history-size \/ LIVEGATE_HISTORY_SIZE/);
  });

  it("turn escaped newlines of a PEM key into real ones", () => {
    const o = optionsFrom({ LIVEGATE_JWT_PUBLIC_KEY: "-----BEGIN PUBLIC KEY-----\\nabc\\n-----END PUBLIC KEY-----" }, {});
    assert.equal(o.auth?.jwtPublicKey, "-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----");
  });

  it("each point at a real option", () => {
    const defaults = resolveOptions() as unknown as Record<string, unknown>;
    for (const s of SETTINGS) {
      let node: unknown = defaults;
      for (const key of s.path.slice(0, -1)) node = (node as Record<string, unknown>)[key];
      assert.ok(node && typeof node === "object", `--${s.flag}: no option group ${s.path.join(".")}`);
      const leaf = s.path.at(-1)!;
      const known = Object.hasOwn(node as object, leaf) || ["jwtSecret", "jwtPublicKey", "jwksUrl", "issuer", "audience", "apiKey", "baseUrl", "model", "port", "gatewaySecret", "embeddingsModel", "embeddingsBaseUrl", "embeddingsApiKey"].includes(leaf);
      assert.ok(known, `--${s.flag}: ${s.path.join(".")} is not an option`);
    }
  });
});
