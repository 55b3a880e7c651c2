import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TestClient } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { expectJson } from "../../helpers/http.js";
import { ask, assertEnvelope, assertError, connectReady, connectUna } from "./helpers.js";

/** One example of each system event, the seed's own. */
const EVENTS = {
  orchestrator_status: { orchestrator_id: "code_review_orchestrator", status: "completed", progress: 100, result: {} },
  team_deployment: { team_id: "healthcare_uc_team_v2", status: "active", health: "healthy" },
  execution_progress: { execution_id: "exec_456", progress: 75, logs: ["Processing step 3 of 4...", "Analyzing results..."] },
  system_alert: { alert_type: "performance", message: "High CPU usage detected", severity: "warning" },
} as const;
type EventType = keyof typeof EVENTS;
const TYPES = Object.keys(EVENTS) as EventType[];

describe("UnaCODE system events", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  /** Publishes over REST; returns the answer's body. */
  async function publish(type: string, payload: unknown, to: { user_id: string } | { broadcast: true }): Promise<Record<string, unknown>> {
    return expectJson(await gw.api("/api/v1/system/events", { body: { type, payload, ...to } }), 201, `POST ${type}`);
  }

  /** Publishes a marker to `user` and waits for it: every event published before it has been delivered. */
  async function drain(client: TestClient, user: string): Promise<void> {
    const marker = { alert_type: "marker", message: `drain ${user}`, severity: "info" };
    await publish("system_alert", marker, { user_id: user });
    await client.next((f) => f.type === "system_alert" && f.payload.message === marker.message, 3000, "the drain marker");
  }

  it("delivers each of the four event types to everyone in the seed's shape, with the REST answer's id", async () => {
    const a = await connectReady(gw, "ann");
    const b = await connectReady(gw, "ben");
    for (const type of TYPES) {
      const view = await publish(type, EVENTS[type], { broadcast: true });
      assert.equal(view.type, type);
      assert.equal(view.channel, "broadcast");
      for (const [client, user] of [[a, "ann"], [b, "ben"]] as const) {
        const ev = await client.nextOfType(type);
        assertEnvelope(ev, null, `${type} to ${user}`);
        assert.deepEqual(ev.payload, EVENTS[type], `${type} payload as the seed shows it`);
        assert.equal(ev.id, view.id, "the event's id is the one REST answered");
        assert.equal(ev.timestamp, view.timestamp, "the event's time is the publication's");
      }
    }
    a.close();
    b.close();
  });

  it("delivers an event for one user to that user's sockets only, naming the user", async () => {
    const mine = [await connectReady(gw, "cat"), await connectReady(gw, "cat")];
    const theirs = await connectReady(gw, "dan");
    const view = await publish("execution_progress", EVENTS.execution_progress, { user_id: "cat" });
    assert.equal(view.channel, "user:cat");
    for (const c of mine) {
      const ev = await c.nextOfType("execution_progress");
      assertEnvelope(ev, "cat", "a per-user event");
    }
    await drain(theirs, "dan");
    assert.equal(theirs.frames.filter((f) => f.type === "execution_progress").length, 0, "dan never sees cat's event");
    for (const c of [...mine, theirs]) c.close();
  });

  it("narrows a socket to the subscribed types, adds with a later subscribe, and removes with unsubscribe", async () => {
    const client = await connectReady(gw, "eve");
    const sub = await ask(client, { type: "subscribe", message_types: ["orchestrator_status", "system_alert"] });
    assertEnvelope(sub, "eve", "the subscribe reply");
    assert.equal(sub.type, "subscribe");
    assert.deepEqual(sub.payload, { status: "subscribed", message_types: ["orchestrator_status", "system_alert"] });

    const receivedAfter = async (): Promise<string[]> => {
      for (const type of ["orchestrator_status", "team_deployment", "execution_progress"] as const) await publish(type, EVENTS[type], { user_id: "eve" });
      await drain(client, "eve");
      return client.frames.splice(0).map((f) => f.type as string);
    };
    assert.deepEqual(await receivedAfter(), ["orchestrator_status"], "only the subscribed types arrive");

    const more = await ask(client, { type: "subscribe", payload: { message_types: ["team_deployment"] } });
    assert.deepEqual(more.payload.message_types, ["orchestrator_status", "team_deployment", "system_alert"], "a later subscribe adds (payload form)");
    assert.deepEqual(await receivedAfter(), ["orchestrator_status", "team_deployment"]);

    const less = await ask(client, { type: "unsubscribe", message_types: ["orchestrator_status"] });
    assert.deepEqual(less.payload, { status: "unsubscribed", message_types: ["team_deployment", "system_alert"] });
    assert.deepEqual(await receivedAfter(), ["team_deployment"]);
    client.close();
  });

  it("lets a socket that never subscribed unsubscribe from some types and keep the others", async () => {
    const client = await connectReady(gw, "fay");
    const reply = await ask(client, { type: "unsubscribe", message_types: ["execution_progress"] });
    assert.deepEqual(reply.payload.message_types, ["orchestrator_status", "team_deployment", "system_alert", "user_notification"]);
    await publish("execution_progress", EVENTS.execution_progress, { user_id: "fay" });
    await publish("team_deployment", EVENTS.team_deployment, { user_id: "fay" });
    await drain(client, "fay");
    assert.deepEqual(client.frames.map((f) => f.type), ["team_deployment"], "execution_progress is filtered out");
    client.close();
  });

  it("filters each socket by its own subscription while others of the same user get everything", async () => {
    const narrow = await connectReady(gw, "gus");
    const wide = await connectReady(gw, "gus");
    await ask(narrow, { type: "subscribe", message_types: ["system_alert"] });
    await publish("orchestrator_status", EVENTS.orchestrator_status, { broadcast: true });
    await wide.nextOfType("orchestrator_status");
    await drain(narrow, "gus");
    assert.equal(narrow.frames.filter((f) => f.type === "orchestrator_status").length, 0, "the narrowed socket skips it");
    narrow.close();
    wide.close();
  });

  it("answers subscribe without a list, or with a type that cannot be subscribed to, with INVALID_MESSAGE", async () => {
    const client = await connectReady(gw, "hal");
    for (const message_types of [undefined, [], "system_alert", ["system_alert", "chat"]]) {
      const err = assertError(await ask(client, { type: "subscribe", message_types }), "INVALID_MESSAGE", `message_types ${JSON.stringify(message_types)}`);
      assert.match(err.error as string, /message_types/);
    }
    const err = assertError(await ask(client, { type: "subscribe", message_types: ["chat"] }), "INVALID_MESSAGE", "chat");
    assert.match(err.error as string, /"chat" cannot be subscribed to; one of orchestrator_status, team_deployment, execution_progress, system_alert, user_notification/);
    client.close();
  });

  it("shows notifications sent through livegate as user_notification {notification}, which subscribe can filter", async () => {
    const client = await connectReady(gw, "ida");
    const res = await gw.api("/api/v1/notifications", { body: { user_id: "ida", title: "Import complete", message: "42 files", type: "success" } });
    const view = await expectJson<{ id: string }>(res, 201, "POST /api/v1/notifications");
    const n = await client.nextOfType("user_notification");
    assertEnvelope(n, "ida", "a notification");
    assert.equal(n.id, view.id, "the notification's id");
    // No chat_message beside it, so the seed's client passes it by.
    assert.deepEqual(n.payload, { notification: view }, "the notification as the service views it, and nothing else");
    await ask(client, { type: "subscribe", message_types: ["system_alert"] });
    await gw.api("/api/v1/notifications", { body: { user_id: "ida", title: "Hidden" } });
    await drain(client, "ida");
    assert.equal(client.frames.filter((f) => f.type === "user_notification").length, 0, "filtered out after subscribing to system_alert only");
    client.close();
  });

  it("replays the notifications sent while the user was offline right after the auth reply, oldest first, and marks them delivered", async () => {
    const user = "oona";
    const send = async (title: string) =>
      expectJson<{ id: string; created_at: string }>(await gw.api("/api/v1/notifications", { body: { user_id: user, title, message: `${title}!` } }), 201, `POST ${title}`);
    const older = await send("Build finished");
    const newer = await send("Review requested");

    const client = await connectUna(gw);
    client.send({ id: "a1", type: "auth", payload: { token: await gw.token(user) } });
    const order = [await client.next(() => true, 3000, "the first message"), await client.next(() => true, 3000, "the second"), await client.next(() => true, 3000, "the third")];
    assert.deepEqual(order.map((f) => [f.type, f.id]), [["auth", "a1"], ["user_notification", older.id], ["user_notification", newer.id]], "the auth reply, then the backlog oldest first");
    const first = order[1]!;
    assertEnvelope(first, user, "an offline notification");
    assert.deepEqual(first.payload, { notification: older }, "the same shape as a live notification");
    assert.equal(first.timestamp, older.created_at, "stamped with the time it was sent");
    client.close();
    await client.waitClosed();

    const again = await connectReady(gw, user);
    const codegraph = await TestClient.connect(gw.wsUrl("/api/v1/ws/notifications", { token: await gw.token(user) }));
    await codegraph.nextOfType("connected");
    const live = await send("Deploy approved");
    assert.equal((await again.nextOfType("user_notification")).id, live.id, "a later UnaCODE socket gets only what is new");
    assert.equal((await codegraph.nextOfType("notification")).payload.title, "Deploy approved", "the CodeGraph notification socket does not repeat them either");
    assert.equal(again.frames.filter((f) => f.type === "user_notification").length, 0, "nothing else on the UnaCODE socket");
    again.close();
    codegraph.close();
  });

  it("replays offline notifications on a socket authenticated by its connect-time token, before any reply", async () => {
    const user = "otto";
    const n = await expectJson<{ id: string }>(await gw.api("/api/v1/notifications", { body: { user_id: user, title: "While away" } }), 201, "POST");
    const client = await connectUna(gw, user);
    const hb = await ask(client, { type: "heartbeat" });
    assert.equal(hb.type, "heartbeat");
    assert.deepEqual(client.frames.map((f) => [f.type, f.id]), [["user_notification", n.id]], "the backlog came before the heartbeat's reply, and only it");
    client.close();
  });
});
