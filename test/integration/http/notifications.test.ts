import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { TestClient } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { claimsFor, hmacToken } from "../../helpers/tokens.js";
import { assertRecentIso, expectJson, expectJsonError } from "../../helpers/http.js";

interface Notification {
  id: string;
  title: string;
  message: string;
  type: string;
  data: unknown;
  action_url: string | null;
  created_at: string;
}

const VIEW_KEYS = ["action_url", "created_at", "data", "id", "message", "title", "type"];

describe("REST /api/v1/notifications", () => {
  let gw: TestGateway;
  let clients: TestClient[] = [];

  async function connect(user: string): Promise<TestClient> {
    const client = await TestClient.connect(gw.wsUrl("/ws", { token: await gw.token(user) }));
    clients.push(client);
    await client.nextOfType("connected");
    return client;
  }

  const send = (body: unknown) => gw.api("/api/v1/notifications", { body });
  const inbox = async (user: string, query = "") =>
    gw.api(`/api/v1/notifications${query}`, { headers: { authorization: `Bearer ${await gw.token(user)}` } });

  before(async () => {
    gw = await startTestGateway();
  });
  afterEach(() => {
    for (const c of clients) c.close();
    clients = [];
  });
  after(() => gw.close());

  describe("POST", () => {
    it("sends to a user: 201 with the view, and a notification event on the user's /ws connections", async () => {
      const client = await connect("alice");
      const view = await expectJson<Notification>(
        await send({ user_id: "alice", title: "Import Complete", message: "Project 'myapp' has been imported successfully", type: "success", data: { project_id: "abc123", files_imported: 150 }, action_url: "/projects/abc123" }),
        201,
        "send to alice",
      );
      assert.deepEqual(Object.keys(view).sort(), VIEW_KEYS, `view keys: ${JSON.stringify(view)}`);
      assert.equal(view.type, "success", "the category is under type");
      assertRecentIso(view.created_at, "created_at");
      const ev = await client.next((f) => f.type === "notification", 2000, "the notification event");
      assert.equal(ev.channel, "user:alice", "delivered on the user's channel");
      assert.deepEqual(ev.data, view, "the event data is the notification's view");
      assert.deepEqual(ev.data, {
        id: view.id,
        title: "Import Complete",
        message: "Project 'myapp' has been imported successfully",
        type: "success",
        data: { project_id: "abc123", files_imported: 150 },
        action_url: "/projects/abc123",
        created_at: view.created_at,
      }, "every field as sent");
    });

    it("does not deliver a user's notification to another user", async () => {
      const bob = await connect("bob");
      await expectJson(await send({ user_id: "carol", title: "For carol" }), 201, "send to carol");
      assert.ok(await bob.nothingWithin(200, (f) => f.type === "notification"), "bob must not get carol's notification");
    });

    it("broadcasts to every connected user with broadcast: true", async () => {
      const [a, b] = await Promise.all([connect("dave"), connect("erin")]);
      const view = await expectJson<Notification>(await send({ broadcast: true, title: "Maintenance", message: "Tonight at 22:00", type: "warning" }), 201, "broadcast");
      for (const [name, c] of [["dave", a], ["erin", b]] as const) {
        const ev = await c.next((f) => f.type === "notification" && f.data?.id === view.id, 2000, `the broadcast for ${name}`);
        assert.equal(ev.channel, "broadcast", `${name}: broadcast channel`);
        assert.deepEqual(ev.data, view, `${name}: event data`);
      }
    });

    it("defaults type to info and data, action_url to null", async () => {
      const view = await expectJson<Notification>(await send({ user_id: "frank", title: "Hello" }), 201, "minimal");
      assert.equal(view.type, "info", "type");
      assert.equal(view.message, "", "message");
      assert.equal(view.data, null, "data");
      assert.equal(view.action_url, null, "action_url");
    });

    const bad: [string, unknown][] = [
      ["neither user_id nor broadcast", { title: "x" }],
      ["both user_id and broadcast", { user_id: "a", broadcast: true, title: "x" }],
      ["broadcast: false without user_id", { broadcast: false, title: "x" }],
      ["no title", { user_id: "a" }],
      ["an empty title", { user_id: "a", title: "" }],
      ["an unknown type", { user_id: "a", title: "x", type: "critical" }],
      ["an empty user_id", { user_id: "", title: "x" }],
      ["malformed JSON", "{"],
    ];
    for (const [what, body] of bad) {
      it(`answers 400 LG_ERR_REQUEST_INVALID for ${what}`, async () => {
        await expectJsonError(await send(body), 400, "LG_ERR_REQUEST_INVALID", what);
      });
    }

    it("says which of user_id and broadcast to give", async () => {
      const message = await expectJsonError(await send({ title: "x" }), 400, "LG_ERR_REQUEST_INVALID", "neither");
      assert.match(message, /user_id/, `the message should name user_id: ${message}`);
      assert.match(message, /broadcast/, `the message should name broadcast: ${message}`);
    });

    it("answers 401 without the API key, and to a user's JWT", async () => {
      await expectJsonError(await gw.api("/api/v1/notifications", { body: { user_id: "a", title: "x" }, headers: { authorization: "" } }), 401, "LG_ERR_API_KEY", "no key");
      const token = await gw.token("a");
      await expectJsonError(await gw.api("/api/v1/notifications", { body: { user_id: "a", title: "x" }, headers: { authorization: `Bearer ${token}` } }), 401, "LG_ERR_API_KEY", "a user cannot send");
    });
  });

  describe("GET with the user's JWT", () => {
    it("lists only the user's own notifications, newest first, without broadcasts", async () => {
      await expectJson(await send({ user_id: "gina", title: "one" }), 201, "one");
      await expectJson(await send({ user_id: "gina", title: "two" }), 201, "two");
      await expectJson(await send({ user_id: "hank", title: "hank's" }), 201, "hank's");
      await expectJson(await send({ broadcast: true, title: "everyone" }), 201, "broadcast");
      const body = await expectJson<{ notifications: Notification[] }>(await inbox("gina"), 200, "gina's inbox");
      assert.deepEqual(body.notifications.map((n) => n.title), ["two", "one"], "gina's notifications, newest first");
      for (const n of body.notifications) assert.deepEqual(Object.keys(n).sort(), VIEW_KEYS, "view keys");
      const hank = await expectJson<{ notifications: Notification[] }>(await inbox("hank"), 200, "hank's inbox");
      assert.deepEqual(hank.notifications.map((n) => n.title), ["hank's"], "hank sees only his");
    });

    it("honours limit", async () => {
      for (let i = 0; i < 5; i++) await expectJson(await send({ user_id: "ivan", title: `n${i}` }), 201, `n${i}`);
      const body = await expectJson<{ notifications: Notification[] }>(await inbox("ivan", "?limit=2"), 200, "limit=2");
      assert.deepEqual(body.notifications.map((n) => n.title), ["n4", "n3"], "the 2 newest");
      await expectJsonError(await inbox("ivan", "?limit=0"), 400, "LG_ERR_REQUEST_INVALID", "limit=0");
      await expectJsonError(await inbox("ivan", "?limit=abc"), 400, "LG_ERR_REQUEST_INVALID", "limit=abc");
    });

    it("answers an empty list to a user without notifications", async () => {
      const body = await expectJson<{ notifications: Notification[] }>(await inbox("nobody-yet"), 200, "empty inbox");
      assert.deepEqual(body, { notifications: [] }, "empty");
    });

    it("answers 401 without a token, with a bad token, and to the API key", async () => {
      await expectJsonError(await gw.api("/api/v1/notifications", { headers: { authorization: "" } }), 401, "LG_ERR_AUTH_TOKEN_MISSING", "no token");
      await expectJsonError(await gw.api("/api/v1/notifications", { headers: { authorization: "Bearer not.a.jwt" } }), 401, "LG_ERR_AUTH_TOKEN_INVALID", "bad token");
      await expectJsonError(await gw.api("/api/v1/notifications"), 401, "LG_ERR_AUTH_TOKEN_INVALID", "the API key is not a user token");
      const expired = await hmacToken(claimsFor("gina", { iat: Math.floor(Date.now() / 1000) - 120, exp: Math.floor(Date.now() / 1000) - 60 }));
      await expectJsonError(await gw.api("/api/v1/notifications", { headers: { authorization: `Bearer ${expired}` } }), 401, "LG_ERR_AUTH_TOKEN_EXPIRED", "an expired token");
    });

    it("accepts the token as ?token= too", async () => {
      await expectJson(await send({ user_id: "jill", title: "by query" }), 201, "send");
      const token = await gw.token("jill");
      const res = await fetch(`${gw.url}/api/v1/notifications?token=${encodeURIComponent(token)}`);
      const body = await expectJson<{ notifications: Notification[] }>(res, 200, "token in the query");
      assert.deepEqual(body.notifications.map((n) => n.title), ["by query"], "jill's notifications");
    });
  });
});
