import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { WebSocketServer, type WebSocket } from "ws";
import {
  createChatChunk,
  createNotification,
  getChatHandler,
  getJobHandler,
  getNotificationHandler,
  getWsManager,
  WSMessage,
} from "../../../src/index.js";
import { TestClient, type Frame } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";

/** Opens a CodeGraph socket and waits for `connected`. */
async function codegraph(gw: TestGateway, path: string, user: string): Promise<{ client: TestClient; connected: Frame }> {
  const client = await TestClient.connect(gw.wsUrl(path, { token: await gw.token(user) }));
  const connected = await client.nextOfType("connected");
  return { client, connected };
}

describe("the server-side API (seed 000, Server-Side API)", () => {
  let gw: TestGateway;
  const open: TestClient[] = [];
  before(async () => {
    gw = await startTestGateway();
  });
  after(async () => {
    for (const c of open) c.close();
    await gw.close();
  });
  const track = <T extends { client: TestClient }>(x: T): T => {
    open.push(x.client);
    return x;
  };

  it("counts connections and users, and tells whether a user is connected", async () => {
    const m = getWsManager();
    const before = m.getConnectionCount();
    track(await codegraph(gw, "/api/v1/ws/chat", "count-a"));
    track(await codegraph(gw, "/api/v1/ws/notifications", "count-a"));
    assert.equal(m.getConnectionCount(), before + 2);
    assert.equal(m.getConnectionCount("count-a"), 2);
    assert.equal(m.isUserConnected("count-a"), true);
    assert.equal(m.isUserConnected("nobody"), false);
    assert.ok(m.getUserCount() >= 1);
  });

  it("sends a WSMessage to one connection of its user, and refuses another user's connection", async () => {
    const { client, connected } = track(await codegraph(gw, "/api/v1/ws/chat", "direct-a"));
    const m = getWsManager();
    assert.equal(m.sendToConnection("direct-a", connected.payload.connection_id, createChatChunk("hello", "srv-1")), true);
    const chunk = await client.nextOfType("chat.chunk");
    assert.deepEqual(chunk.payload, { content: "hello", is_final: false });
    assert.equal(chunk.request_id, "srv-1");
    assert.equal(m.sendToConnection("someone-else", connected.payload.connection_id, createChatChunk("x")), false, "the connection is not someone-else's");
    assert.equal(m.sendToConnection("direct-a", "c_missing", createChatChunk("x")), false);
  });

  it("sends to every CodeGraph socket of a user but not to the user's /ws sockets", async () => {
    const a = track(await codegraph(gw, "/api/v1/ws/chat", "fan-a"));
    const b = track(await codegraph(gw, "/api/v1/ws/notifications", "fan-a"));
    const ws = await TestClient.connect(gw.wsUrl("/ws", { token: await gw.token("fan-a") }));
    open.push(ws);
    await ws.nextOfType("connected");
    const n = getWsManager().sendToUser("fan-a", createNotification("Import Complete", "done", "success"));
    assert.equal(n, 2, "two CodeGraph sockets");
    for (const c of [a.client, b.client]) assert.equal((await c.nextOfType("notification")).payload.title, "Import Complete");
    assert.equal(await ws.nothingWithin(200, (f) => f.type === "notification"), true, "a /ws socket never gets a raw WSMessage");
  });

  it("broadcasts to every CodeGraph socket except the excluded users", async () => {
    const a = track(await codegraph(gw, "/api/v1/ws/chat", "bc-a"));
    const b = track(await codegraph(gw, "/api/v1/ws/chat", "bc-b"));
    const msg = new WSMessage({ type: "cpg.update.complete", payload: { project: "x" } });
    const n = getWsManager().broadcast(msg, ["bc-b"]);
    assert.ok(n >= 1);
    assert.deepEqual((await a.client.nextOfType("cpg.update.complete")).payload, { project: "x" });
    assert.equal(await b.client.nothingWithin(200, (f) => f.type === "cpg.update.complete"), true, "bc-b was excluded");
  });

  it("sends job updates to the job's sockets and to users subscribed to the job", async () => {
    const job = await gw.server.context.jobs.create({ type: "import", owner: "job-a" });
    const jobSocket = track(await codegraph(gw, `/api/v1/ws/jobs/${job.job_id}`, "job-a"));
    await jobSocket.client.nextOfType("job.started");
    const chat = track(await codegraph(gw, "/api/v1/ws/chat", "job-a"));
    const m = getWsManager();
    assert.equal(await getJobHandler().handleSubscribe("job-a", chat.connected.payload.connection_id, job.job_id), true);
    assert.equal(await getJobHandler().handleSubscribe("job-b", "c_x", job.job_id), false, "another user's job is refused");
    const n = m.sendJobUpdate(job.job_id, new WSMessage({ type: "job.progress", payload: { job_id: job.job_id, progress: 10 } }));
    assert.ok(n >= 2, `the job socket and the subscribed user's sockets, got ${n}`);
    assert.equal((await chat.client.nextOfType("job.progress")).payload.progress, 10);
    m.cleanupJobSubscriptions(job.job_id);

    // The JobHandler records the update through the jobs service: stored, and published to the job socket.
    await getJobHandler().sendJobUpdate(job.job_id, "running", 60);
    const progress = await jobSocket.client.next((f) => f.type === "job.progress" && f.payload.progress === 60);
    assert.equal(progress.payload.job_id, job.job_id);
    await getJobHandler().sendJobUpdate(job.job_id, "completed", 100, { files_processed: 3 });
    assert.deepEqual((await jobSocket.client.nextOfType("job.completed")).payload.result, { files_processed: 3 });
    assert.equal((await gw.server.context.jobs.get(job.job_id))?.status, "completed");
  });

  it("runs a chat query for a connection through the ChatHandler", async () => {
    const { client, connected } = track(await codegraph(gw, "/api/v1/ws/chat", "chat-a"));
    getChatHandler().handleQuery("chat-a", connected.payload.connection_id, new WSMessage({ type: "chat.query", payload: { query: "hello" }, requestId: "srv-q" }));
    const done = await client.next((f) => f.type === "chat.done" && f.request_id === "srv-q", 5000);
    assert.equal(done.request_id, "srv-q");
    assert.throws(() => getChatHandler().handleQuery("other", connected.payload.connection_id, new WSMessage({ type: "chat.query", payload: { query: "x" } })), /no chat socket/);
  });

  it("sends notifications through the NotificationHandler and says whether the user was connected", async () => {
    const { client } = track(await codegraph(gw, "/api/v1/ws/notifications", "note-a"));
    assert.equal(await getNotificationHandler().sendNotification("note-a", "Hi", "there", "warning", { k: 1 }), true);
    const n = await client.nextOfType("notification");
    assert.deepEqual([n.payload.title, n.payload.message, n.payload.type, n.payload.data], ["Hi", "there", "warning", { k: 1 }]);
    assert.equal(await getNotificationHandler().sendNotification("note-offline", "Later", "x"), false, "nobody to receive it now");
    assert.ok((await getNotificationHandler().broadcastNotification("All", "hands")) >= 1);
    assert.equal((await client.next((f) => f.type === "notification" && f.payload.title === "All")).payload.message, "hands");
  });

  it("registers a WebSocket the program accepted itself, sends to it, and disconnects it with disconnected", async () => {
    const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await new Promise((r) => wss.once("listening", r));
    try {
      const accepted = new Promise<WebSocket>((r) => wss.once("connection", r));
      const client = await TestClient.connect(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`);
      const m = getWsManager();
      const id = m.connect("external-a", await accepted);
      assert.equal(m.isUserConnected("external-a"), true);
      assert.equal(m.sendToConnection("external-a", id, createChatChunk("from the program")), true);
      assert.equal((await client.nextOfType("chat.chunk")).payload.content, "from the program");
      m.disconnect("external-a", id);
      await client.nextOfType("disconnected");
      assert.equal((await client.waitClosed()).code, 1000);
      assert.equal(m.isUserConnected("external-a"), false);
    } finally {
      wss.close();
    }
  });
});
