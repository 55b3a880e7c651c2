import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TestClient } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { expectJson, expectJsonError } from "../../helpers/http.js";
import { assertClosed, debugPath, ISO_UTC } from "./helpers.js";

describe("Nadoo plugin debug socket /api/v1/ws/plugin/debug/{execution_id}", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  const createExecution = async (): Promise<string> => {
    const body = await expectJson<{ execution_id: string; status: string }>(
      await gw.api("/api/v1/plugin/executions", { body: { plugin_id: "web-search", tool_name: "search" } }),
      201,
      "creating an execution",
    );
    assert.equal(body.status, "running");
    assert.match(body.execution_id, /^[0-9a-f-]{36}$/, "execution ids are random UUIDs");
    return body.execution_id;
  };
  const event = async (id: string, type: string, data: unknown, status = 201) => {
    const res = await gw.api(`/api/v1/plugin/executions/${id}/events`, { body: { type, data } });
    assert.equal(res.status, status, `posting ${type}: ${await res.text()}`);
  };

  it("sends execution_info, then the recorded history as debug_data, then live events, each as {type, data}", async () => {
    const id = await createExecution();
    await event(id, "log", { level: "info", message: "starting" });
    await event(id, "step", { name: "fetch", index: 1 });
    const client = await TestClient.connect(gw.wsUrl(debugPath(id)));
    const info = await client.nextOfType("execution_info");
    assert.deepEqual([info.data.plugin_id, info.data.tool_name, info.data.status, info.data.execution_id], ["web-search", "search", "running", id]);
    assert.match(info.timestamp as string, ISO_UTC);
    const history = await client.nextOfType("debug_data");
    assert.deepEqual(
      history.data.map((e: { type: string; data: unknown; seq: number }) => [e.seq, e.type, e.data]),
      [[1, "log", { level: "info", message: "starting" }], [2, "step", { name: "fetch", index: 1 }]],
      "debug_data holds the recorded events in order",
    );
    await event(id, "variable", { name: "query", value: "livegate" });
    await event(id, "api_call", { method: "GET", url: "https://example.test/search", status: 200 });
    await event(id, "trace", { span: "search", ms: 12 });
    await event(id, "execution_complete", { result: { hits: 3 } });
    const live = [];
    for (const type of ["variable", "api_call", "trace", "execution_complete"]) live.push(await client.nextOfType(type));
    assert.deepEqual(live.map((f) => f.seq), [3, 4, 5, 6], "live events follow the history, in order");
    assert.equal(live[0]!.data.name, "query", "payloads are wrapped in data");
    assert.deepEqual(live[3]!.data.result, { hits: 3 }, "execution_complete carries data.result");
    assert.deepEqual(client.frames.filter((f) => ["log", "step"].includes(f.type as string)), [], "recorded events are not repeated live");
    await event(id, "log", "too late", 409);
    const after = await expectJson<{ status: string; events: number }>(await gw.api(`/api/v1/plugin/executions/${id}`), 200, "the finished execution");
    assert.deepEqual([after.status, after.events], ["completed", 4 + 2]);
    client.close();
  });

  it("sends no debug_data for an execution without history, and reports execution_error", async () => {
    const id = await createExecution();
    const client = await TestClient.connect(gw.wsUrl(debugPath(id)));
    await client.nextOfType("execution_info");
    await event(id, "execution_error", { error: "timeout after 30 s" });
    const failed = await client.nextOfType("execution_error");
    assert.equal(failed.data.error, "timeout after 30 s");
    assert.deepEqual(client.frames.filter((f) => f.type === "debug_data"), [], "no debug_data without history");
    client.send({ type: "execution_info" });
    assert.equal((await client.nextOfType("error")).data.message.includes("execution_info"), true, "client frames other than ping are refused");
    client.close();
  });

  it("answers the plain-text ping with pong", async () => {
    const id = await createExecution();
    const client = await TestClient.connect(gw.wsUrl(debugPath(id)));
    await client.nextOfType("execution_info");
    client.send("ping");
    const deadline = Date.now() + 2000;
    while (!client.texts.includes("pong") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(client.texts, ["pong"], "the text frame pong, not JSON");
    client.close();
  });

  it("sends error, then closes, for an execution that does not exist", async () => {
    const client = await TestClient.connect(gw.wsUrl(debugPath("exec-uuid-123")));
    await assertClosed(client, 1008, "Execution not found", "an unknown execution");
    const err = client.frames.find((f) => f.type === "error");
    assert.ok(err, "an error frame comes before the close");
    assert.match(String(err.data.message), /not found/);
    assert.equal(err.message, err.data.message);
  });

  it("requires the API key to create executions and events, and refuses unknown event types", async () => {
    const res = await fetch(`${gw.url}/api/v1/plugin/executions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ plugin_id: "p", tool_name: "t" }) });
    await expectJsonError(res, 401, "LG_ERR_API_KEY", "no API key");
    const id = await createExecution();
    await expectJsonError(await gw.api(`/api/v1/plugin/executions/${id}/events`, { body: { type: "debug_data", data: {} } }), 400, "LG_ERR_REQUEST_INVALID", "a type the runtime may not send");
    await expectJsonError(await gw.api("/api/v1/plugin/executions/nope/events", { body: { type: "log", data: "x" } }), 404, "LG_ERR_EXECUTION_NOT_FOUND", "an unknown execution");
  });
});
