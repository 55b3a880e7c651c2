import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Frame } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { sleep } from "../../helpers/streams.js";
import { connectAs, ISO_UTC, NOTIFICATIONS } from "./helpers.js";

async function notify(gw: TestGateway, body: Record<string, unknown>): Promise<{ id: string; created_at: string }> {
  const res = await gw.api("/api/v1/notifications", { body });
  const json = (await res.json()) as { id: string; created_at: string };
  assert.equal(res.status, 201, `POST /api/v1/notifications: ${JSON.stringify(json)}`);
  return json;
}

describe("codegraph notification sockets", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  it("delivers a user's notification with the category under type, as the seed's note says", async () => {
    const { client } = await connectAs(gw, NOTIFICATIONS, "alice");
    const sent = await notify(gw, {
      user_id: "alice",
      title: "Import Complete",
      message: "Project 'myapp' has been imported successfully",
      type: "success",
      data: { project_id: "abc123", files_imported: 150 },
    });
    const n = await client.nextOfType("notification");
    assert.deepEqual(n.payload, {
      title: "Import Complete",
      message: "Project 'myapp' has been imported successfully",
      type: "success",
      data: { project_id: "abc123", files_imported: 150 },
      id: sent.id,
    });
    assert.equal(n.timestamp, sent.created_at, "the timestamp is when the notification was sent");
    assert.match(n.timestamp as string, ISO_UTC);
    await notify(gw, { user_id: "alice", title: "Heads up", message: "" });
    const plain = await client.nextOfType("notification");
    assert.equal(plain.payload.type, "info", "the category defaults to info");
    assert.ok(!("data" in plain.payload), "data is left out when there is none");
    client.close();
  });

  it("delivers broadcasts to every user and a user's notifications to that user only", async () => {
    const { client: alice } = await connectAs(gw, NOTIFICATIONS, "alice");
    const { client: bob } = await connectAs(gw, NOTIFICATIONS, "bob");
    await notify(gw, { broadcast: true, title: "Maintenance", message: "at 22:00", type: "warning" });
    for (const c of [alice, bob]) assert.deepEqual((await c.nextOfType("notification")).payload.title, "Maintenance");
    await notify(gw, { user_id: "bob", title: "For bob", message: "x", type: "error" });
    assert.equal((await bob.nextOfType("notification")).payload.type, "error");
    assert.ok(await alice.nothingWithin(150), "alice does not see bob's notification");
    alice.close();
    bob.close();
  });

  it("delivers notifications sent while the user was offline right after connected, oldest first, once", async () => {
    const first = await notify(gw, { user_id: "carol", title: "first", message: "1" });
    await notify(gw, { user_id: "carol", title: "second", message: "2", type: "success" });
    const { client } = await connectAs(gw, NOTIFICATIONS, "carol");
    const [a, b] = [await client.next(), await client.next()];
    assert.deepEqual([a.type, a.payload.title, b.type, b.payload.title], ["notification", "first", "notification", "second"]);
    assert.equal(a.timestamp, first.created_at, "an offline notification keeps the time it was sent");
    client.close();
    await client.waitClosed();
    await sleep(50);
    const { client: again } = await connectAs(gw, NOTIFICATIONS, "carol");
    assert.ok(await again.nothingWithin(200), "delivered notifications are not sent again on the next connect");
    again.close();
  });

  it("shows each notification exactly once when they keep coming while the socket connects", async () => {
    const total = 40;
    const sent: string[] = [];
    const sending = (async () => {
      for (let i = 0; i < total; i++) sent.push((await notify(gw, { user_id: "dave", title: `n${i}`, message: "" })).id);
    })();
    await sleep(20);
    const { client } = await connectAs(gw, NOTIFICATIONS, "dave");
    await sending;
    const got: Frame[] = [];
    while (got.length < total) got.push(await client.nextOfType("notification"));
    const ids = got.map((f) => f.payload.id as string);
    assert.equal(new Set(ids).size, total, `no notification is shown twice: ${ids.length} frames, ${new Set(ids).size} distinct`);
    assert.deepEqual([...ids].sort(), [...sent].sort(), "every notification is shown");
    assert.ok(await client.nothingWithin(100, (f) => f.type === "notification"), "and nothing more");
    client.close();
    await client.waitClosed();
    await sleep(50);
    const { client: again } = await connectAs(gw, NOTIFICATIONS, "dave");
    assert.ok(await again.nothingWithin(200), "none of them is left undelivered for the next connect");
    again.close();
  });
});
