import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BROADCAST_CHANNEL, userChannel } from "../../../src/core/channel.js";
import { MemoryBroker } from "../../../src/engines/broker/memory.js";
import { NotificationService, uuidv7, type NotificationView } from "../../../src/services/notifications.js";
import { openTempStore, type TempStore } from "../../helpers/temp-store.js";

describe("NotificationService over SQLite and the memory broker", () => {
  let t: TempStore;
  let broker: MemoryBroker;
  let notifications: NotificationService;

  before(async () => {
    t = await openTempStore();
    broker = new MemoryBroker({ size: 100, ttlMs: 60_000, metaTtlMs: 60_000 });
    notifications = new NotificationService(t.store.notifications, broker);
  });
  after(async () => {
    await broker.close();
    await t.close();
  });

  it("publishes a notification on the user's channel with its full view", async () => {
    const view = await notifications.send("alice", { title: "Import Complete", message: "Project 'myapp' imported", type: "success", data: { project_id: "abc123" }, action_url: "/projects/abc123" });
    assert.deepEqual(Object.keys(view).sort(), ["action_url", "created_at", "data", "id", "message", "title", "type"], "view keys");
    assert.equal(view.type, "success", "the category is under type");
    const h = await broker.history(userChannel("alice"), {});
    assert.equal(h.publications.length, 1, "one publication");
    assert.equal(h.publications[0]?.type, "notification", "publication type");
    assert.deepEqual(h.publications[0]?.data, view, "publication data is the view");
  });

  it("defaults the category to info, data to null and action_url to null", async () => {
    const view = await notifications.send("bob", { title: "Hi", message: "" });
    assert.equal(view.type, "info", "default category");
    assert.equal(view.data, null, "default data");
    assert.equal(view.action_url, null, "default action_url");
  });

  it("keeps notifications for an offline user until taken, in the order sent, then marks them delivered", async () => {
    const sent: NotificationView[] = [];
    for (let i = 0; i < 20; i++) sent.push(await notifications.send("offline-carol", { title: `n${i}`, message: "" }));
    const taken = await notifications.takeUndelivered("offline-carol");
    assert.deepEqual(taken.map((n) => n.title), sent.map((n) => n.title), "undelivered notifications in the order sent");
    assert.deepEqual(await notifications.takeUndelivered("offline-carol"), [], "taken notifications are delivered");
  });

  it("lists a user's notifications newest first, without broadcasts or other users' notifications", async () => {
    await notifications.send("dave", { title: "first", message: "" });
    await notifications.send("dave", { title: "second", message: "" });
    await notifications.send("erin", { title: "not dave's", message: "" });
    await notifications.broadcast({ title: "to everyone", message: "" });
    const list = await notifications.list("dave");
    assert.deepEqual(list.map((n) => n.title), ["second", "first"], "dave's notifications, newest first");
  });

  it("publishes a broadcast on the broadcast channel and keeps it out of offline queues", async () => {
    const view = await notifications.broadcast({ title: "Maintenance", message: "at noon", type: "warning" });
    const h = await broker.history(BROADCAST_CHANNEL, {});
    assert.deepEqual(h.publications.at(-1)?.data, view, "broadcast publication");
    assert.ok(!(await notifications.takeUndelivered("frank")).some((n) => n.id === view.id), "a broadcast is live only");
  });

  it("marks a notification delivered at once when the user is present on the user channel", async () => {
    await broker.presence.add(userChannel("gina"), "conn-1", { connection_id: "conn-1", user_id: "gina" }, 60_000);
    await notifications.send("gina", { title: "live", message: "" });
    assert.deepEqual(await notifications.takeUndelivered("gina"), [], "a notification sent while the user is connected is delivered");
  });

  it("makes notification ids UUIDv7 that sort in creation order, even within one millisecond", () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7(1_700_000_000_000));
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, `not a UUIDv7: ${id}`);
    assert.deepEqual([...ids].sort(), ids, "ids should sort in creation order");
    assert.equal(new Set(ids).size, ids.length, "ids should be unique");
  });
});
