import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import type { TestClient } from "../../helpers/client.js";
import { ask, assertError, call, connectTg } from "./tg-client.js";

describe("TrustGraph flow service over the socket", () => {
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

  it("starts with the default blueprint and the started default flow", async () => {
    assert.deepEqual(await ask(client, "flow", { operation: "list-blueprints" }), { "blueprint-names": ["default"] });
    assert.deepEqual(await ask(client, "flow", { operation: "list-flows" }), { "flow-ids": ["default"] });
    const r = await ask(client, "flow", { operation: "get-flow", "flow-id": "default" });
    assert.equal(typeof r.flow, "string", "flow is JSON text, as real clients json.loads it");
    assert.deepEqual(JSON.parse(r.flow as string), { "blueprint-name": "default", description: "Default flow", parameters: {}, interfaces: {} });
  });

  it("puts a blueprint given as JSON text or as an object, gets it back as JSON text, and lists it", async () => {
    const def = { description: "RAG", parameters: { model: { default: "gpt-4o-mini" }, temperature: "0.2" }, interfaces: { "document-rag": {} } };
    assert.deepEqual(await ask(client, "flow", { operation: "put-blueprint", "blueprint-name": "rag", "blueprint-definition": JSON.stringify(def) }), {});
    assert.deepEqual(await ask(client, "flow", { operation: "put-blueprint", "blueprint-name": "obj", "blueprint-definition": { description: "x" } }), {});
    const got = await ask(client, "flow", { operation: "get-blueprint", "blueprint-name": "rag" });
    assert.deepEqual(JSON.parse(got["blueprint-definition"] as string), def);
    assert.deepEqual((await ask(client, "flow", { operation: "list-blueprints" }))["blueprint-names"], ["default", "obj", "rag"]);
  });

  it("starts a flow with parameters over the blueprint's defaults; get-flow names blueprint and parameters", async () => {
    const started = await ask(client, "flow", {
      operation: "start-flow",
      "flow-id": "f1",
      "blueprint-name": "rag",
      description: "first",
      parameters: { temperature: "0.7", "top-k": 5 },
    });
    assert.deepEqual(started, { "flow-id": "f1" });
    const r = await ask(client, "flow", { operation: "get-flow", "flow-id": "f1" });
    assert.deepEqual(JSON.parse(r.flow as string), {
      "blueprint-name": "rag",
      description: "first",
      parameters: { model: "gpt-4o-mini", temperature: "0.7", "top-k": "5" },
      interfaces: { "document-rag": {} },
    });
    assert.deepEqual(r.parameters, { model: "gpt-4o-mini", temperature: "0.7", "top-k": "5" }, "parameters are strings, user keys as written");
    assert.deepEqual((await ask(client, "flow", { operation: "list-flows" }))["flow-ids"], ["default", "f1"]);
    assert.deepEqual(await gw.server.context.flows.resolve("f1"), {
      id: "f1",
      blueprint: "rag",
      description: "first",
      parameters: { model: "gpt-4o-mini", temperature: "0.7", "top-k": "5" },
      interfaces: { "document-rag": {} },
    }, "what flow-hosted services get as call.flow");
  });

  it("accepts the underscore spellings flow_id and blueprint_name", async () => {
    assert.deepEqual(await ask(client, "flow", { operation: "start-flow", flow_id: "f2", blueprint_name: "obj" }), { "flow-id": "f2" });
    assert.deepEqual(await ask(client, "flow", { operation: "stop-flow", flow_id: "f2" }), { "flow-id": "f2" });
  });

  it("refuses a second start of a flow, a start from a missing blueprint, and deleting a blueprint in use", async () => {
    assertError((await call(client, "flow", { operation: "start-flow", "flow-id": "f1", "blueprint-name": "rag" }))[0], "invalid-request", "start twice");
    assertError((await call(client, "flow", { operation: "start-flow", "flow-id": "f9", "blueprint-name": "nope" }))[0], "not-found", "missing blueprint");
    const [inUse] = await call(client, "flow", { operation: "delete-blueprint", "blueprint-name": "rag" });
    assertError(inUse, "invalid-request", "blueprint in use");
    assert.match(inUse!.error.message as string, /f1/, "names the flow using it");
  });

  it("stops a flow, then deletes its blueprint; stopped and missing things are not-found", async () => {
    assert.deepEqual(await ask(client, "flow", { operation: "stop-flow", "flow-id": "f1" }), { "flow-id": "f1" });
    assertError((await call(client, "flow", { operation: "get-flow", "flow-id": "f1" }))[0], "not-found", "get a stopped flow");
    assertError((await call(client, "flow", { operation: "stop-flow", "flow-id": "f1" }))[0], "not-found", "stop twice");
    assert.deepEqual(await ask(client, "flow", { operation: "delete-blueprint", "blueprint-name": "rag" }), {});
    assertError((await call(client, "flow", { operation: "get-blueprint", "blueprint-name": "rag" }))[0], "not-found", "get a deleted blueprint");
  });

  it("refuses bad requests with invalid-request: unknown operation, missing ids, a definition that is not an object", async () => {
    for (const request of [
      { operation: "launch" },
      {},
      { operation: "start-flow", "blueprint-name": "default" },
      { operation: "put-blueprint", "blueprint-name": "x", "blueprint-definition": "[1,2" },
      { operation: "put-blueprint", "blueprint-name": "x", "blueprint-definition": [1] },
      { operation: "start-flow", "flow-id": "x", "blueprint-name": "default", parameters: "model=a" },
    ]) {
      assertError((await call(client, "flow", request))[0], "invalid-request", JSON.stringify(request));
    }
  });

  it("serves the older class-era operations and keys (list-classes, get-class, put-class, delete-class, class-name)", async () => {
    assert.deepEqual(await ask(client, "flow", { operation: "put-class", "class-name": "old", "class-definition": JSON.stringify({ description: "c" }) }), {});
    assert.ok(((await ask(client, "flow", { operation: "list-classes" }))["class-names"] as string[]).includes("old"));
    const got = await ask(client, "flow", { operation: "get-class", class_name: "old" });
    assert.deepEqual(Object.keys(got), ["class-definition"]);
    assert.deepEqual(JSON.parse(got["class-definition"] as string), { description: "c" });
    assert.deepEqual(await ask(client, "flow", { operation: "start-flow", "flow-id": "c1", "class-name": "old", description: "d" }), { "flow-id": "c1" });
    assert.equal(JSON.parse((await ask(client, "flow", { operation: "get-flow", "flow-id": "c1" })).flow as string)["blueprint-name"], "old");
    await ask(client, "flow", { operation: "stop-flow", "flow-id": "c1" });
    assert.deepEqual(await ask(client, "flow", { operation: "delete-class", "class-name": "old" }), {});
    assertError((await call(client, "flow", { operation: "get-class", "class-name": "old" }))[0], "not-found", "a deleted class");
  });

  it("flow changes are config changes: blueprints and flows show in config and bump its version", async () => {
    const v = (await ask(client, "config", { operation: "config" })).version as number;
    await ask(client, "flow", { operation: "start-flow", "flow-id": "f3", "blueprint-name": "default" });
    const r = await ask(client, "config", { operation: "config" });
    assert.equal(r.version, v + 1);
    assert.equal(JSON.parse(r.config.flow.f3 as string)["blueprint-name"], "default");
  });
});
