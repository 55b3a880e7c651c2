import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectChannels } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { assertRecentIso, expectJson, expectJsonError } from "../../helpers/http.js";

const ALERT = { alert_type: "performance", message: "High CPU usage detected", severity: "warning" };

describe("REST POST /api/v1/system/events", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  it("needs the API key", async () => {
    const res = await gw.api("/api/v1/system/events", { body: { type: "system_alert", broadcast: true, payload: ALERT }, headers: { authorization: "Bearer wrong" } });
    await expectJsonError(res, 401, "LG_ERR_API_KEY", "a wrong API key");
  });

  it("refuses an unknown type, a missing or double recipient and payloads without the seed's fields with 400 naming the field", async () => {
    const cases: [unknown, RegExp][] = [
      [{ type: "weather", broadcast: true, payload: {} }, /type/],
      [{ type: "system_alert", payload: ALERT }, /either user_id or broadcast/],
      [{ type: "system_alert", user_id: "x", broadcast: true, payload: ALERT }, /either user_id or broadcast/],
      [{ type: "orchestrator_status", broadcast: true, payload: { status: "completed" } }, /payload\.orchestrator_id/],
      [{ type: "team_deployment", broadcast: true, payload: { team_id: "t" } }, /payload\.status/],
      [{ type: "execution_progress", broadcast: true, payload: { execution_id: "e", progress: 101 } }, /payload\.progress/],
      [{ type: "execution_progress", broadcast: true, payload: { execution_id: "e", progress: 5, logs: "one" } }, /payload\.logs/],
      [{ type: "system_alert", broadcast: true, payload: { ...ALERT, severity: "meh" } }, /payload\.severity/],
      [{ type: "team_deployment", broadcast: true, payload: [1] }, /payload/],
    ];
    for (const [body, field] of cases) {
      const message = await expectJsonError(await gw.api("/api/v1/system/events", { body }), 400, "LG_ERR_REQUEST_INVALID", JSON.stringify(body));
      assert.match(message, field, `the error for ${JSON.stringify(body)} should name the field`);
    }
  });

  it("publishes to one user's channel with the payload as data, extra fields kept, and answers 201 with id, channel and position", async () => {
    const { client } = await connectChannels(gw.wsUrl("/ws", { token: await gw.token("kit") }));
    const payload = { team_id: "healthcare_uc_team_v2", status: "active", health: "healthy", region: "eu-west" };
    const view = await expectJson<Record<string, unknown>>(await gw.api("/api/v1/system/events", { body: { type: "team_deployment", user_id: "kit", payload } }), 201, "POST");
    assert.deepEqual(Object.keys(view), ["id", "type", "channel", "epoch", "offset", "timestamp"]);
    assert.deepEqual([view.type, view.channel, view.offset], ["team_deployment", "user:kit", 1], "the first publication on user:kit");
    assert.equal(view.id, `evt_${String(view.epoch)}_1`, "the id names the publication");
    assertRecentIso(view.timestamp, "timestamp");
    const ev = await client.nextOfType("team_deployment");
    assert.deepEqual(ev.data, payload, "/ws clients see the payload, extra fields included, as a plain event");
    assert.equal(ev.channel, "user:kit");
    client.close();
  });

  it("publishes a broadcast on the broadcast channel", async () => {
    const { client } = await connectChannels(gw.wsUrl("/ws", { token: await gw.token("lou") }));
    const view = await expectJson<Record<string, unknown>>(await gw.api("/api/v1/system/events", { body: { type: "system_alert", broadcast: true, payload: ALERT } }), 201, "POST");
    assert.equal(view.channel, "broadcast");
    const ev = await client.nextOfType("system_alert");
    assert.deepEqual([ev.channel, ev.offset, ev.data], ["broadcast", view.offset, ALERT]);
    client.close();
  });
});
