import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectChannels } from "../helpers/client.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";

describe("a freshly started gateway", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  it("answers /healthz and /readyz", async () => {
    assert.equal((await fetch(`${gw.url}/healthz`)).status, 200);
    const ready = await fetch(`${gw.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: "ready", store: "ok", broker: "ok" });
  });

  it("delivers a REST publication to a /ws subscriber", async () => {
    const token = await gw.token("alice", { claims: { channels: ["conversation:*"] } });
    const { client, connected } = await connectChannels(gw.wsUrl("/ws", { token }));
    assert.equal(connected.data.user_id, "alice");
    const sub = await client.request("subscribe", { channel: "conversation:conv-123" });
    assert.equal(sub.type, "subscribed");
    await gw.publish("conversation:conv-123", { content: "Hello there!" }, "chat_message");
    const ev = await client.nextOfType("chat_message");
    assert.deepEqual(ev.data, { content: "Hello there!" });
    assert.equal(ev.offset, sub.data.offset + 1);
    client.close();
  });

  it("exposes Prometheus metrics that count connections and publications", async () => {
    const token = await gw.token("metrics-user");
    const { client } = await connectChannels(gw.wsUrl("/ws", { token }));
    await gw.publish("public:metrics", { n: 1 });
    const res = await fetch(`${gw.url}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /^livegate_connections\{dialect="channels"\} [1-9]/m, "the open /ws connection is counted");
    assert.match(text, /^livegate_publications_total\{source="api"\} [1-9]/m, "the REST publication is counted");
    client.close();
  });
});
