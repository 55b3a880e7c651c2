import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { ask, assertError, call, connectTg } from "./tg-client.js";
import type { TestClient } from "../../helpers/client.js";

describe("TrustGraph config service over the socket", () => {
  let gw: TestGateway;
  let client: TestClient;
  before(async () => {
    gw = await startTestGateway();
    client = await connectTg(gw);
  });
  after(async () => {
    client.close();
    await gw.close();
  });

  it("put stores string values and answers the new version; get, list and getvalues read them back", async () => {
    const before = (await ask(client, "config", { operation: "config" })).version as number;
    const put = await ask(client, "config", {
      operation: "put",
      values: [
        { type: "prompt", key: "greet", value: "Say hello to {{name}}" },
        { type: "prompt", key: "bye", value: "Say goodbye" },
      ],
    });
    assert.deepEqual(put, { version: before + 1 }, "one put, one version step");
    assert.deepEqual(await ask(client, "config", { operation: "list", type: "prompt" }), { version: before + 1, directory: ["bye", "greet"] });
    assert.deepEqual(await ask(client, "config", { operation: "get", keys: [{ type: "prompt", key: "greet" }] }), {
      version: before + 1,
      values: [{ type: "prompt", key: "greet", value: "Say hello to {{name}}" }],
    });
    assert.deepEqual(await ask(client, "config", { operation: "getvalues", type: "prompt" }), {
      version: before + 1,
      values: [
        { type: "prompt", key: "bye", value: "Say goodbye" },
        { type: "prompt", key: "greet", value: "Say hello to {{name}}" },
      ],
    });
  });

  it("config answers everything as {type: {key: value}} with the version, including the default blueprint and flow", async () => {
    const r = await ask(client, "config", { operation: "config" });
    assert.equal(typeof r.version, "number");
    assert.equal(r.config.prompt.greet, "Say hello to {{name}}");
    assert.equal(typeof r.config["flow-blueprint"].default, "string", "blueprints live in config as JSON text");
    assert.equal(JSON.parse(r.config.flow.default as string)["blueprint-name"], "default", "the default flow is started from the default blueprint");
  });

  it("delete removes keys and bumps the version; a missing key in get is not-found", async () => {
    const v = (await ask(client, "config", { operation: "config" })).version as number;
    assert.deepEqual(await ask(client, "config", { operation: "delete", keys: [{ type: "prompt", key: "bye" }] }), { version: v + 1 });
    assert.deepEqual((await ask(client, "config", { operation: "list", type: "prompt" })).directory, ["greet"]);
    const [f] = await call(client, "config", { operation: "get", keys: [{ type: "prompt", key: "bye" }] });
    assertError(f, "not-found", "get of a deleted key");
    assert.match(f!.error.message as string, /prompt\/bye/);
  });

  it("stores a non-string value as its JSON text and keeps user keys exactly as written", async () => {
    await ask(client, "config", { operation: "put", values: [{ type: "app", key: "limits", value: { end_of_stream: 1, "doc-limit": 2 } }] });
    const r = await ask(client, "config", { operation: "get", keys: [{ type: "app", key: "limits" }] });
    assert.deepEqual(JSON.parse(r.values[0].value as string), { end_of_stream: 1, "doc-limit": 2 }, "user data is never respelled");
  });

  it("refuses an unknown operation and malformed keys with invalid-request, and the socket stays open", async () => {
    const [a] = await call(client, "config", { operation: "frobnicate" });
    assertError(a, "invalid-request", "unknown operation");
    assert.match(a!.error.message as string, /frobnicate/);
    assert.deepEqual(a!.response, { error: a!.error }, "service errors are also nested in response, as the real server sends them");
    const [b] = await call(client, "config", { operation: "get", keys: [{ type: "prompt" }] });
    assertError(b, "invalid-request", "a key without key");
    const [c] = await call(client, "config", { operation: "list" });
    assertError(c, "invalid-request", "list without type");
    assert.ok((await ask(client, "config", { operation: "list", type: "prompt" })).directory, "still answering");
  });

  it("keeps the version across a restart of the gateway", async () => {
    const dataDir = gw.dataDir;
    const v = (await ask(client, "config", { operation: "config" })).version as number;
    const other = await startTestGateway({ dataDir });
    try {
      const c2 = await connectTg(other);
      const r = await ask(c2, "config", { operation: "config" });
      assert.equal(r.version, v, "the version is stored");
      assert.equal(r.config.prompt.greet, "Say hello to {{name}}");
      c2.close();
    } finally {
      await other.close();
    }
  });
});
