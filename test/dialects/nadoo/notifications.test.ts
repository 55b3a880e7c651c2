import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TestClient } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { assertClosed, ISO_UTC, notificationsPath, openAs, unique } from "./helpers.js";

describe("Nadoo notification socket /ws/notifications/{user_id}", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  const notify = async (user: string, title: string, extra: Record<string, unknown> = {}) => {
    const res = await gw.api("/api/v1/notifications", { body: { user_id: user, title, message: `${title} body`, ...extra } });
    assert.equal(res.status, 201, `sending "${title}" failed: ${await res.text()}`);
  };
  const connect = async (user: string) => {
    const client = await openAs(gw, notificationsPath(user), user);
    await client.nextOfType("connected");
    return client;
  };

  it("closes with 1008 when the path's user_id is not the token's sub", async () => {
    const client = await openAs(gw, notificationsPath("bob"), "alice");
    await assertClosed(client, 1008, "User mismatch", "alice's token on bob's notifications");
    const err = client.frames.find((f) => f.type === "error");
    assert.ok(err && typeof err.message === "string", "an error frame with a message comes first");
    const noToken = await TestClient.connect(gw.wsUrl(notificationsPath("alice")));
    await assertClosed(noToken, 1008, "Invalid token", "no token");
  });

  it("pushes a notification as {type, notification: {title, body, action_url}, timestamp}, and one REST call reaches CodeGraph's socket too", async () => {
    const user = unique("u");
    const nadoo = await connect(user);
    const codegraph = await TestClient.connect(gw.wsUrl("/api/v1/ws/notifications", { token: await gw.token(user) }));
    await codegraph.nextOfType("connected");
    await notify(user, "Workflow completed", { message: "Your data extraction workflow finished successfully.", action_url: "/workflows/wf-123/results", type: "success" });
    const n = await nadoo.nextOfType("notification");
    assert.equal(n.notification.title, "Workflow completed");
    assert.equal(n.notification.body, "Your data extraction workflow finished successfully.");
    assert.equal(n.notification.action_url, "/workflows/wf-123/results");
    assert.match(n.timestamp as string, ISO_UTC);
    const c = await codegraph.nextOfType("notification");
    assert.equal(c.payload.title, "Workflow completed", "CodeGraph's socket gets it in its own shape");
    assert.equal(c.payload.message, "Your data extraction workflow finished successfully.");
    nadoo.close();
    codegraph.close();
  });

  it("delivers the notifications sent while the user was offline on connect, oldest first, once", async () => {
    const user = unique("u");
    await notify(user, "first");
    await notify(user, "second");
    const client = await connect(user);
    const titles = [(await client.nextOfType("notification")).notification.title, (await client.nextOfType("notification")).notification.title];
    assert.deepEqual(titles, ["first", "second"]);
    client.close();
    await client.waitClosed();
    const again = await connect(user);
    assert.ok(await again.nothingWithin(200, (f) => f.type === "notification"), "delivered notifications are not repeated");
    again.close();
  });

  it("pushes broadcasts to every user", async () => {
    const user = unique("u");
    const client = await connect(user);
    const res = await gw.api("/api/v1/notifications", { body: { broadcast: true, title: "Maintenance at noon" } });
    assert.equal(res.status, 201);
    const n = await client.nextOfType("notification");
    assert.equal(n.notification.title, "Maintenance at noon");
    client.close();
  });
});
