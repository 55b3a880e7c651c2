import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { TestClient, type Frame } from "../../helpers/client.js";
import { startTestGateway, TEST_API_KEY, type TestGateway } from "../../helpers/gateway.js";

interface Position {
  channel: string;
  epoch: string;
  offset: number;
}
interface HistoryBody extends Position {
  publications: Frame[];
  truncated?: boolean;
}

describe("REST API", () => {
  let gw: TestGateway;
  let clients: TestClient[] = [];

  const historyUrl = (channel: string, query: Record<string, string> = {}): string => {
    const qs = new URLSearchParams(query).toString();
    return `/api/v1/channels/${encodeURIComponent(channel)}/history${qs ? `?${qs}` : ""}`;
  };

  async function history(channel: string, query: Record<string, string> = {}): Promise<HistoryBody> {
    const res = await gw.api(historyUrl(channel, query));
    const body = (await res.json()) as HistoryBody;
    assert.equal(res.status, 200, `GET history of ${channel} ${JSON.stringify(query)}: status ${res.status} ${JSON.stringify(body)}`);
    return body;
  }

  /** Asserts a JSON error answer `{"error":{"code","message"}}` with `status` and `code`. */
  async function expectJsonError(res: Response, status: number, code: string, what: string): Promise<void> {
    const text = await res.text();
    assert.equal(res.status, status, `${what}: status should be ${status}, got ${res.status} ${text}`);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/, `${what}: error body should be JSON`);
    let body: { error?: { code?: unknown; message?: unknown } };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      assert.fail(`${what}: error body is not JSON: ${text}`);
    }
    assert.equal(body.error?.code, code, `${what}: error.code should be ${code}, got ${text}`);
    assert.equal(typeof body.error?.message, "string", `${what}: error.message should be a string`);
    assert.ok((body.error?.message as string).length > 0, `${what}: error.message should not be empty`);
  }

  before(async () => {
    gw = await startTestGateway();
  });
  afterEach(() => {
    for (const c of clients) c.close();
    clients = [];
  });
  after(() => gw.close());

  describe("POST /api/v1/publish", () => {
    it("publishes with the API key and answers 200 {channel, epoch, offset}", async () => {
      const res = await gw.api("/api/v1/publish", { body: { channel: "public:rest-1", type: "notification", data: { message: "hi", level: "info" } } });
      const body = (await res.json()) as Position;
      assert.equal(res.status, 200, `publish status: ${res.status} ${JSON.stringify(body)}`);
      assert.deepEqual(Object.keys(body).sort(), ["channel", "epoch", "offset"], `publish answer keys: ${JSON.stringify(body)}`);
      assert.equal(body.channel, "public:rest-1", "publish answer channel");
      assert.equal(typeof body.epoch, "string", "publish answer epoch");
      assert.equal(body.offset, 1, "the first publication on a channel should get offset 1");
      const second = await gw.publish("public:rest-1", { n: 2 });
      assert.deepEqual(second, { channel: "public:rest-1", epoch: body.epoch, offset: 2 }, "the next publication should get offset 2 in the same epoch");
      const h = await history("public:rest-1");
      assert.equal(h.publications[0]?.type, "notification", "the given type should be kept");
      assert.equal(h.publications[1]?.type, "message", "a publication without type should get type message");
    });

    it("delivers a REST publication to a /ws subscriber", async () => {
      const token = await gw.token("rest-sub");
      const client = await TestClient.connect(gw.wsUrl("/ws", { token }));
      clients.push(client);
      await client.nextOfType("connected");
      const pub = await gw.publish("user:rest-sub", { message: "New comment on your post", level: "info" }, "notification");
      const ev = await client.next((f) => f.channel === "user:rest-sub", 2000, "the REST publication on the user channel");
      assert.equal(ev.type, "notification", "event type");
      assert.equal(ev.offset, pub.offset, "event offset should match the REST answer");
      assert.equal(ev.epoch, pub.epoch, "event epoch should match the REST answer");
    });

    it("answers 401 LG_ERR_API_KEY without an API key and publishes nothing", async () => {
      const res = await fetch(`${gw.url}/api/v1/publish`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ channel: "public:rest-nokey", data: {} }),
      });
      await expectJsonError(res, 401, "LG_ERR_API_KEY", "publish without API key");
      assert.equal((await history("public:rest-nokey")).publications.length, 0, "a refused publish must not reach history");
    });

    it("answers 401 LG_ERR_API_KEY with a wrong API key", async () => {
      const wrong = await gw.api("/api/v1/publish", {
        body: { channel: "public:rest-wrongkey", data: {} },
        headers: { authorization: "Bearer wrong-api-key-0123456789" },
      });
      await expectJsonError(wrong, 401, "LG_ERR_API_KEY", "publish with a wrong API key");
      const prefix = await gw.api("/api/v1/publish", {
        body: { channel: "public:rest-wrongkey", data: {} },
        headers: { authorization: `Bearer ${TEST_API_KEY.slice(0, -1)}` },
      });
      await expectJsonError(prefix, 401, "LG_ERR_API_KEY", "publish with a prefix of the API key");
      const basic = await gw.api("/api/v1/publish", {
        body: { channel: "public:rest-wrongkey", data: {} },
        headers: { authorization: `Basic ${TEST_API_KEY}` },
      });
      await expectJsonError(basic, 401, "LG_ERR_API_KEY", "publish with the key under the Basic scheme");
      const jwt = await gw.api("/api/v1/publish", {
        body: { channel: "public:rest-wrongkey", data: {} },
        headers: { authorization: `Bearer ${await gw.token("alice")}` },
      });
      await expectJsonError(jwt, 401, "LG_ERR_API_KEY", "publish with a user JWT instead of the API key");
      assert.equal((await history("public:rest-wrongkey")).publications.length, 0, "a refused publish must not reach history");
    });

    it("answers 400 with a JSON error for a body that is not JSON", async () => {
      const res = await gw.api("/api/v1/publish", { body: '{"channel": "public:x", ' });
      await expectJsonError(res, 400, "LG_ERR_REQUEST_INVALID", "publish with malformed JSON");
    });

    it("answers 400 with a JSON error for a body with missing or mistyped fields", async () => {
      await expectJsonError(await gw.api("/api/v1/publish", { body: { channel: "public:x" } }), 400, "LG_ERR_REQUEST_INVALID", "publish without data");
      await expectJsonError(await gw.api("/api/v1/publish", { body: [] }), 400, "LG_ERR_REQUEST_INVALID", "publish with an array body");
      await expectJsonError(await gw.api("/api/v1/publish", { body: { data: {} } }), 400, "LG_ERR_REQUEST_INVALID", "publish without channel");
      await expectJsonError(await gw.api("/api/v1/publish", { body: { channel: 42, data: {} } }), 400, "LG_ERR_REQUEST_INVALID", "publish with a numeric channel");
      await expectJsonError(await gw.api("/api/v1/publish", { body: { channel: "public:x", type: 5, data: {} } }), 400, "LG_ERR_REQUEST_INVALID", "publish with a numeric type");
    });

    it("answers 400 LG_ERR_CHANNEL_NAME_INVALID for a bad channel name", async () => {
      for (const channel of ["", "has space", "a/b", "x".repeat(256)]) {
        const res = await gw.api("/api/v1/publish", { body: { channel, data: {} } });
        await expectJsonError(res, 400, "LG_ERR_CHANNEL_NAME_INVALID", `publish to channel ${JSON.stringify(channel.slice(0, 20))}`);
      }
    });

    it("answers 400 LG_ERR_EVENT_TYPE_INVALID for a reserved event type and publishes nothing", async () => {
      for (const type of ["subscribed", "connected", "error", "auth_required"]) {
        const res = await gw.api("/api/v1/publish", { body: { channel: "public:rest-reserved", type, data: {} } });
        await expectJsonError(res, 400, "LG_ERR_EVENT_TYPE_INVALID", `publish with reserved type ${type}`);
      }
      assert.equal((await history("public:rest-reserved")).publications.length, 0, "a refused publish must not reach history");
    });
  });

  describe("POST /api/v1/publish/batch", () => {
    it("publishes every entry and answers {results} with consecutive offsets", async () => {
      const res = await gw.api("/api/v1/publish/batch", {
        body: {
          publications: [
            { channel: "public:rest-batch", type: "notification", data: { n: 1 } },
            { channel: "public:rest-batch", data: { n: 2 } },
            { channel: "public:rest-batch-other", data: { n: 3 } },
            { channel: "public:rest-batch", type: "status_update", data: { n: 4 } },
          ],
        },
      });
      const body = (await res.json()) as { results: Position[] };
      assert.equal(res.status, 200, `batch status: ${res.status} ${JSON.stringify(body)}`);
      assert.equal(body.results?.length, 4, `batch should answer one result per publication: ${JSON.stringify(body)}`);
      assert.deepEqual(
        body.results.map((r) => [r.channel, r.offset]),
        [
          ["public:rest-batch", 1],
          ["public:rest-batch", 2],
          ["public:rest-batch-other", 1],
          ["public:rest-batch", 3],
        ],
        "batch results should be in request order with consecutive offsets per channel",
      );
      const h = await history("public:rest-batch");
      assert.deepEqual(
        h.publications.map((p) => [p.offset, p.type, p.data]),
        [
          [1, "notification", { n: 1 }],
          [2, "message", { n: 2 }],
          [3, "status_update", { n: 4 }],
        ],
        "history after the batch",
      );
    });

    it("publishes nothing when one entry of a batch is bad", async () => {
      const cases: [string, unknown, string][] = [
        ["a bad channel name", { channel: "bad channel", data: {} }, "LG_ERR_CHANNEL_NAME_INVALID"],
        ["a reserved type", { channel: "public:rest-atomic", type: "published", data: {} }, "LG_ERR_EVENT_TYPE_INVALID"],
        ["a missing channel", { data: {} }, "LG_ERR_REQUEST_INVALID"],
      ];
      for (const [what, bad, code] of cases) {
        const res = await gw.api("/api/v1/publish/batch", {
          body: { publications: [{ channel: "public:rest-atomic", data: { n: 1 } }, bad, { channel: "public:rest-atomic", data: { n: 3 } }] },
        });
        await expectJsonError(res, 400, code, `batch with ${what}`);
        const h = await history("public:rest-atomic");
        assert.equal(h.offset, 0, `batch with ${what}: the channel's offset should stay 0, got ${h.offset}`);
        assert.equal(h.publications.length, 0, `batch with ${what}: nothing should reach history`);
      }
    });

    it("answers 400 for an empty batch and 401 without the API key", async () => {
      await expectJsonError(await gw.api("/api/v1/publish/batch", { body: { publications: [] } }), 400, "LG_ERR_REQUEST_INVALID", "empty batch");
      await expectJsonError(await gw.api("/api/v1/publish/batch", { body: {} }), 400, "LG_ERR_REQUEST_INVALID", "batch without publications");
      const res = await fetch(`${gw.url}/api/v1/publish/batch`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ publications: [{ channel: "public:rest-atomic", data: {} }] }),
      });
      await expectJsonError(res, 401, "LG_ERR_API_KEY", "batch without API key");
    });
  });

  describe("GET /api/v1/channels/{channel}/history", () => {
    const ch = "conversation:rest-hist";
    let epoch = "";
    before(async () => {
      for (let n = 1; n <= 5; n++) epoch = (await gw.publish(ch, { n }, "chat_message")).epoch;
    });
    const offsets = (h: HistoryBody): number[] => h.publications.map((p) => p.offset as number);

    it("returns every publication in order with the channel's position", async () => {
      const h = await history(ch);
      assert.equal(h.channel, ch, "history.channel");
      assert.equal(h.epoch, epoch, "history.epoch");
      assert.equal(h.offset, 5, "history.offset");
      assert.deepEqual(offsets(h), [1, 2, 3, 4, 5], "publications in offset order");
      const first = h.publications[0]!;
      assert.deepEqual(Object.keys(first).sort(), ["channel", "data", "epoch", "offset", "timestamp", "type"], `history entry keys: ${JSON.stringify(first)}`);
      assert.equal(first.type, "chat_message", "history entry type");
      assert.deepEqual(first.data, { n: 1 }, "history entry data");
      assert.ok(!Number.isNaN(Date.parse(first.timestamp as string)), "history entry timestamp should be a date");
      assert.equal(h.truncated, undefined, "complete history must not be truncated");
    });

    it("returns the publications after since (with and without epoch)", async () => {
      assert.deepEqual(offsets(await history(ch, { since: "2" })), [3, 4, 5], "since=2");
      assert.deepEqual(offsets(await history(ch, { since: "2", epoch })), [3, 4, 5], "since=2 with the current epoch");
      assert.deepEqual(offsets(await history(ch, { since: "5" })), [], "since=last offset");
    });

    it("applies limit after since, and to the newest publications without since", async () => {
      assert.deepEqual(offsets(await history(ch, { since: "1", limit: "2" })), [2, 3], "since=1&limit=2");
      assert.deepEqual(offsets(await history(ch, { limit: "2" })), [4, 5], "limit=2 without since: the newest 2");
    });

    it("says truncated when since is in another epoch", async () => {
      const h = await history(ch, { since: "3", epoch: "some-old-epoch" });
      assert.equal(h.truncated, true, `since in an unknown epoch should be truncated: ${JSON.stringify(h)}`);
    });

    it("answers 400 for a bad channel or bad query, 401 without the API key", async () => {
      await expectJsonError(await gw.api(historyUrl("bad channel")), 400, "LG_ERR_CHANNEL_NAME_INVALID", "history of a bad channel");
      await expectJsonError(await gw.api(historyUrl(ch, { since: "-1" })), 400, "LG_ERR_REQUEST_INVALID", "history with since=-1");
      await expectJsonError(await gw.api(historyUrl(ch, { limit: "ten" })), 400, "LG_ERR_REQUEST_INVALID", "history with limit=ten");
      await expectJsonError(await fetch(gw.url + historyUrl(ch)), 401, "LG_ERR_API_KEY", "history without API key");
    });
  });

  describe("routing and listening", () => {
    it("refuses a WebSocket upgrade on an unknown path with HTTP 404", async () => {
      const token = await gw.token("alice");
      await assert.rejects(TestClient.connect(gw.wsUrl("/nope", { token })), /HTTP 404/, "upgrade on /nope should be refused with 404");
      await assert.rejects(TestClient.connect(gw.wsUrl("/ws/extra", { token })), /HTTP 404/, "upgrade on /ws/extra should be refused with 404");
    });

    it("answers GET /healthz with 200 {status: ok}", async () => {
      const res = await fetch(`${gw.url}/healthz`);
      assert.equal(res.status, 200, "healthz status");
      assert.deepEqual(await res.json(), { status: "ok" }, "healthz body");
    });

    it("answers an unknown REST route with a 404 JSON error", async () => {
      await expectJsonError(await gw.api("/api/v1/nope"), 404, "LG_ERR_ROUTE_NOT_FOUND", "GET /api/v1/nope");
    });

    it("accepts a WebSocket client on ws://[::1]:<port>/ws when started with host localhost", async () => {
      const local = await startTestGateway({ host: "localhost" });
      try {
        const token = await local.token("v6-user");
        const v6 = await TestClient.connect(`ws://[::1]:${local.port}/ws?token=${token}`).catch((err: unknown) => {
          throw new Error(`could not connect to ws://[::1]:${local.port}/ws: ${String(err)}`);
        });
        clients.push(v6);
        const connected = await v6.nextOfType("connected");
        assert.equal(connected.data.user_id, "v6-user", "connected over ::1");
        const v4 = await TestClient.connect(`ws://127.0.0.1:${local.port}/ws?token=${token}`);
        clients.push(v4);
        assert.equal((await v4.nextOfType("connected")).data.user_id, "v6-user", "connected over 127.0.0.1 on the same port");
        const health = await fetch(`http://[::1]:${local.port}/healthz`);
        assert.equal(health.status, 200, "GET /healthz over ::1");
        await local.publish("user:v6-user", { over: "both" });
        for (const [name, c] of [["::1", v6], ["127.0.0.1", v4]] as const) {
          const ev = await c.next((f) => f.channel === "user:v6-user", 2000, `the publication over ${name}`);
          assert.deepEqual(ev.data, { over: "both" }, `publication over ${name}`);
        }
      } finally {
        for (const c of clients) c.close();
        clients = [];
        await local.close();
      }
    });
  });
});
