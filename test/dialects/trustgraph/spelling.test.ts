import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { ask, connectTg } from "./tg-client.js";

describe("TrustGraph key spellings on the socket", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  it("reads both spellings of protocol keys in one request", async () => {
    const client = await connectTg(gw);
    await ask(client, "flow", { operation: "put-blueprint", blueprint_name: "u", "blueprint-definition": { parameters: { top_k: { default: "3" } } } });
    assert.deepEqual(await ask(client, "flow", { operation: "start-flow", "flow-id": "s1", blueprint_name: "u" }), { "flow-id": "s1" });
    client.close();
  });

  it("writes hyphens by default and underscores with ?spelling=underscore, keeping user keys as written", async () => {
    const hyphen = await connectTg(gw);
    const under = await connectTg(gw, { spelling: "underscore" });
    const request = { operation: "get-flow", flow_id: "s1" };
    const h = await ask(hyphen, "flow", request);
    const u = await ask(under, "flow", request);
    assert.deepEqual(Object.keys(h).sort(), ["description", "flow", "parameters"]);
    assert.deepEqual(h.parameters, { top_k: "3" }, "a user parameter keeps its underscore");
    assert.deepEqual(u.parameters, { top_k: "3" });
    assert.deepEqual((await ask(under, "flow", { operation: "list-flows" })).flow_ids, ["default", "s1"]);
    assert.deepEqual((await ask(hyphen, "flow", { operation: "list-flows" }))["flow-ids"], ["default", "s1"]);
    hyphen.close();
    under.close();
  });

  it("follows the server default trustgraph.spelling, which ?spelling=hyphen overrides", async () => {
    const real = await startTestGateway({ trustgraph: { spelling: "underscore" } });
    try {
      const a = await connectTg(real);
      assert.deepEqual(Object.keys(await ask(a, "flow", { operation: "list-blueprints" })), ["blueprint_names"]);
      const b = await connectTg(real, { spelling: "hyphen" });
      assert.deepEqual(Object.keys(await ask(b, "flow", { operation: "list-blueprints" })), ["blueprint-names"]);
      a.close();
      b.close();
    } finally {
      await real.close();
    }
  });
});
