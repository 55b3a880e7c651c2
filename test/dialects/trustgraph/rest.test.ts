import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { ask, call, connectTg } from "./tg-client.js";

const SECRET = "tg-gateway-secret-for-tests";

/** POST a REST twin; `token` as Bearer when given. */
async function post(gw: TestGateway, path: string, body: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(gw.url + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("TrustGraph REST twins", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  it("POST /api/v1/config answers what the socket answers for the same request", async () => {
    await post(gw, "/api/v1/config", { operation: "put", values: [{ type: "t", key: "k", value: "v" }] });
    const client = await connectTg(gw);
    for (const request of [{ operation: "list", type: "t" }, { operation: "get", keys: [{ type: "t", key: "k" }] }, { operation: "config" }]) {
      const viaSocket = await ask(client, "config", request);
      const viaRest = await post(gw, "/api/v1/config", request);
      assert.equal(viaRest.status, 200);
      assert.deepEqual(viaRest.body, viaSocket, `same answer for ${JSON.stringify(request)}`);
    }
    client.close();
  });

  it("POST /api/v1/flow runs flow operations, with both spellings in and ?spelling=underscore out", async () => {
    const started = await post(gw, "/api/v1/flow", { operation: "start-flow", flow_id: "r1", "blueprint-name": "default" });
    assert.deepEqual(started, { status: 200, body: { "flow-id": "r1" } });
    const listed = await post(gw, "/api/v1/flow?spelling=underscore", { operation: "list-flows" });
    assert.deepEqual(listed.body, { flow_ids: ["default", "r1"] });
  });

  it("POST /api/v1/flow/{flow}/service/{kind} answers what the socket answers (text-completion, non-streaming)", async () => {
    const client = await connectTg(gw);
    const request = { system: "Be brief.", prompt: "Say something about livegate." };
    const viaSocket = await ask(client, "text-completion", request, "default");
    const viaRest = await post(gw, "/api/v1/flow/default/service/text-completion", { ...request, streaming: true });
    assert.equal(viaRest.status, 200, JSON.stringify(viaRest.body));
    assert.deepEqual(viaRest.body, viaSocket, "one body, the socket's, even when the body asks for streaming");
    client.close();
  });

  it("answers errors as {error:{type,message}} with a 4xx status", async () => {
    const missing = await post(gw, "/api/v1/config", { operation: "get", keys: [{ type: "t", key: "nope" }] });
    assert.equal(missing.status, 404);
    assert.deepEqual(Object.keys(missing.body.error as object).sort(), ["message", "type"]);
    assert.equal((missing.body.error as { type: string }).type, "not-found");
    const bad = await post(gw, "/api/v1/config", { operation: "frob" });
    assert.equal(bad.status, 400);
    assert.equal((bad.body.error as { type: string }).type, "invalid-request");
    const notObject = await post(gw, "/api/v1/config", [1]);
    assert.equal(notObject.status, 400);
    const globalOnFlowRoute = await post(gw, "/api/v1/flow/default/service/config", { operation: "config" });
    assert.equal(globalOnFlowRoute.status, 404, "a global service is not served on the flow route");
    assert.equal((globalOnFlowRoute.body.error as { type: string }).type, "unknown-service");
  });

  it("takes bodies up to trustgraph.maxFrameBytes (base64 documents), not Fastify's 1 MiB default", async () => {
    const value = "d".repeat(2 * 1024 * 1024);
    const r = await post(gw, "/api/v1/config", { operation: "put", values: [{ type: "doc", key: "big", value }] });
    assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 200));
    const small = await startTestGateway({ trustgraph: { maxFrameBytes: 64 * 1024 } });
    try {
      const tooBig = await post(small, "/api/v1/config", { operation: "put", values: [{ type: "doc", key: "big", value: "d".repeat(100 * 1024) }] });
      assert.equal(tooBig.status, 413);
    } finally {
      await small.close();
    }
  });

  it("keeps the existing REST routes: /api/v1/jobs still needs the API key", async () => {
    const res = await fetch(gw.url + "/api/v1/jobs", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(res.status, 401);
  });

  it("with a gateway secret, needs the secret or a JWT as Bearer", async () => {
    const locked = await startTestGateway({ trustgraph: { gatewaySecret: SECRET } });
    try {
      const none = await post(locked, "/api/v1/config", { operation: "config" });
      assert.deepEqual([none.status, none.body], [401, { error: { type: "auth-required", message: "auth failure" } }]);
      assert.equal((await post(locked, "/api/v1/config", { operation: "config" }, "wrong")).status, 401);
      assert.equal((await post(locked, "/api/v1/config", { operation: "config" }, SECRET)).status, 200);
      assert.equal((await post(locked, "/api/v1/config", { operation: "config" }, await locked.token("ann"))).status, 200);
      const client = await connectTg(locked, { token: SECRET });
      const [f] = await call(client, "config", { operation: "list", type: "flow" });
      assert.deepEqual(f!.response, (await post(locked, "/api/v1/config", { operation: "list", type: "flow" }, SECRET)).body);
      client.close();
    } finally {
      await locked.close();
    }
  });
});
