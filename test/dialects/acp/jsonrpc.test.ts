import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import type { Frame } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { AcpClient } from "./acp-client.js";

/** Time to wait before concluding that no reply is coming. */
const QUIET_MS = 150;

describe("JSON-RPC 2.0 rules at /api/v1/acp/ws", () => {
  let gw: TestGateway;
  let clients: AcpClient[] = [];

  /** An authenticated socket. */
  async function open(): Promise<AcpClient> {
    const c = await AcpClient.connect(gw, await gw.token("alice"));
    clients.push(c);
    return c;
  }

  /** Sends a raw frame and returns the next error response (asserting its code and that the socket stays open). */
  async function rawError(c: AcpClient, frame: string | Buffer, code: number, what: string): Promise<Frame> {
    if (typeof frame === "string") c.socket.send(frame);
    else c.socket.ws.send(frame, { binary: true });
    const res = await c.socket.next((f) => "error" in f || "result" in f, 3000, `the reply to ${what}`);
    assert.equal(res.jsonrpc, "2.0", `${what}: the reply should carry jsonrpc "2.0"`);
    assert.equal(res.error?.code, code, `${what}: error code should be ${code}, got ${JSON.stringify(res)}`);
    assert.equal(typeof res.error?.message, "string", `${what}: the error should carry a message`);
    await assertOpen(c, what);
    return res;
  }

  async function assertOpen(c: AcpClient, what: string): Promise<void> {
    const res = await c.call("initialize", { protocolVersion: 1 });
    assert.equal(res.result?.protocolVersion, 1, `after ${what}: a bad frame must never close the socket`);
  }

  /** Asserts that nothing at all arrives for a while. */
  async function assertSilent(c: AcpClient, what: string): Promise<void> {
    assert.ok(await c.socket.nothingWithin(QUIET_MS), `${what} should get no reply, got ${JSON.stringify(c.socket.frames)}`);
  }

  before(async () => {
    gw = await startTestGateway();
  });
  afterEach(() => {
    for (const c of clients) c.close();
    clients = [];
  });
  after(() => gw.close());

  it("answers a frame that is not JSON with -32700 and id null", async () => {
    const c = await open();
    const res = await rawError(c, '{"jsonrpc":"2.0","id":1,"method":', -32700, "truncated JSON");
    assert.equal(res.id, null, "a parse error carries id null");
    assert.equal(res.error.data?.code, "LG_ERR_FRAME_INVALID_JSON", "data.code of a parse error");
  });

  it("answers a binary frame with -32700 and id null", async () => {
    const c = await open();
    const res = await rawError(c, Buffer.from(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize" })), -32700, "a binary frame");
    assert.equal(res.id, null, "a binary frame's error carries id null");
  });

  it("answers JSON that is not an object with -32600 and id null", async () => {
    const c = await open();
    for (const frame of ["42", '"initialize"', "null", "true"]) {
      const res = await rawError(c, frame, -32600, `the frame ${frame}`);
      assert.equal(res.id, null, `${frame}: id null`);
    }
  });

  it("answers -32600 with the request's id when jsonrpc is not \"2.0\" or method is not a string", async () => {
    const c = await open();
    const cases: [unknown, string][] = [
      [{ id: 7, method: "initialize", params: { protocolVersion: 1 } }, "no jsonrpc member"],
      [{ jsonrpc: "1.0", id: 8, method: "initialize" }, "jsonrpc 1.0"],
      [{ jsonrpc: 2, id: 9, method: "initialize" }, "jsonrpc as a number"],
      [{ jsonrpc: "2.0", id: 10, method: 5 }, "a numeric method"],
      [{ jsonrpc: "2.0", id: 11 }, "no method"],
    ];
    for (const [frame, what] of cases) {
      const res = await rawError(c, JSON.stringify(frame), -32600, what);
      assert.equal(res.id, (frame as { id: number }).id, `${what}: the usable id should be echoed`);
      assert.equal(res.error.data?.code, "LG_ERR_FRAME_INVALID", `${what}: data.code`);
      assert.ok(Array.isArray(res.error.data?.issues), `${what}: data.issues should explain what is wrong`);
    }
  });

  it("answers -32600 with id null when the id is neither a string, a number nor null", async () => {
    const c = await open();
    for (const id of [{ a: 1 }, [1], true]) {
      const res = await rawError(c, JSON.stringify({ jsonrpc: "2.0", id, method: "initialize", params: { protocolVersion: 1 } }), -32600, `id ${JSON.stringify(id)}`);
      assert.equal(res.id, null, `id ${JSON.stringify(id)}: answered with id null`);
    }
  });

  it("answers -32600 for params that are neither an object nor an array", async () => {
    const c = await open();
    const res = await rawError(c, JSON.stringify({ jsonrpc: "2.0", id: "p", method: "initialize", params: 1 }), -32600, "params: 1");
    assert.equal(res.id, "p", "the id is echoed");
  });

  it("answers unknown methods with -32601, CodeGraph's non-ACP extras and unadvertised ACP methods included", async () => {
    const c = await open();
    for (const method of ["nope", "session/set_mode", "thread/start", "fs/read_text_file", "_livegate/unknown", "rpc.discover"]) {
      const err = await c.error(method, {}, -32601, `method ${method}`);
      assert.match(err.message as string, /Method not found/, `${method}: the message`);
    }
  });

  it("answers bad params with -32602 and zod's issues in data", async () => {
    const c = await open();
    const cases: [string, unknown, string][] = [
      ["initialize", {}, "protocolVersion"],
      ["initialize", { protocolVersion: "1" }, "protocolVersion"],
      ["session/new", { cwd: "relative/path", mcpServers: [] }, "cwd"],
      ["session/new", { mcpServers: [] }, "cwd"],
      ["session/prompt", { sessionId: "sess_x", prompt: [] }, "prompt"],
      ["session/prompt", { sessionId: "sess_x", prompt: [{ type: "video", text: "x" }] }, "prompt.0.type"],
      ["session/prompt", { sessionId: "sess_x", prompt: [{ type: "text" }] }, "prompt.0.text"],
      ["session/prompt", { sessionId: "sess_x", prompt: [{ type: "text", text: "   " }] }, "prompt"],
      ["session/load", { sessionId: "bad id with spaces", cwd: "/tmp", mcpServers: [] }, "sessionId"],
    ];
    for (const [method, params, path] of cases) {
      const what = `${method} ${JSON.stringify(params)}`;
      const err = await c.error(method, params, -32602, what);
      const issues = err.data?.issues as { path: string; message: string }[] | undefined;
      assert.ok(issues?.some((i) => i.path === path), `${what}: data.issues should point at ${path}: ${JSON.stringify(err.data)}`);
      assert.ok(issues?.every((i) => typeof i.message === "string"), `${what}: every issue has a message`);
    }
    await c.error("session/new", ["/tmp", []], -32602, "positional params");
  });

  it("echoes string, number and null ids exactly", async () => {
    const c = await open();
    for (const id of ["abc-1", 42, 0, -3.5, null]) {
      c.socket.send({ jsonrpc: "2.0", id, method: "initialize", params: { protocolVersion: 1 } });
      const res = await c.response(id, 3000, `id ${JSON.stringify(id)}`);
      assert.equal(res.result?.protocolVersion, 1, `id ${JSON.stringify(id)}: answered`);
      assert.ok(Object.is(res.id, id), `id ${JSON.stringify(id)} should be echoed exactly, got ${JSON.stringify(res.id)}`);
    }
  });

  it("never answers notifications, whether they succeed, fail or name no known method", async () => {
    const c = await open();
    c.notify("session/cancel", { sessionId: "sess_unknown" });
    c.notify("initialize", { protocolVersion: 1 });
    c.notify("no/such/method", {});
    c.notify("session/new", { cwd: "relative" });
    c.notify("_livegate/whatever");
    await assertSilent(c, "a notification");
    await assertOpen(c, "notifications");
  });

  it("answers a batch with one array of the calls' responses, notifications left out", async () => {
    const c = await open();
    c.socket.send([
      { jsonrpc: "2.0", id: "a", method: "initialize", params: { protocolVersion: 1 } },
      { jsonrpc: "2.0", method: "session/cancel", params: { sessionId: "sess_x" } },
      { jsonrpc: "2.0", id: "b", method: "no/such" },
      { jsonrpc: "2.0", id: "c", method: "session/new", params: { cwd: "/srv/app", mcpServers: [] } },
      1,
    ]);
    const batch = await c.socket.next((f) => Array.isArray(f), 3000, "the batch response");
    const replies = batch as unknown as Frame[];
    const byId = new Map(replies.map((r) => [r.id, r]));
    assert.equal(replies.length, 4, `four responses (the notification gets none): ${JSON.stringify(replies)}`);
    assert.equal(byId.get("a")?.result?.protocolVersion, 1, "initialize in a batch");
    assert.equal(byId.get("b")?.error?.code, -32601, "an unknown method in a batch");
    assert.match(String(byId.get("c")?.result?.sessionId), /^sess_/, "session/new in a batch");
    assert.equal(byId.get(null)?.error?.code, -32600, "a non-object batch entry is an invalid request with id null");
  });

  it("sends nothing for a batch of notifications", async () => {
    const c = await open();
    c.socket.send([
      { jsonrpc: "2.0", method: "session/cancel", params: { sessionId: "sess_x" } },
      { jsonrpc: "2.0", method: "initialize", params: { protocolVersion: 1 } },
    ]);
    await assertSilent(c, "a batch of notifications");
  });

  it("answers an empty batch and a batch of more than 16 calls with a single -32600", async () => {
    const c = await open();
    const empty = await rawError(c, "[]", -32600, "an empty batch");
    assert.equal(empty.id, null, "empty batch: id null");
    const calls = Array.from({ length: 17 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "initialize", params: { protocolVersion: 1 } }));
    const big = await rawError(c, JSON.stringify(calls), -32600, "a batch of 17 calls");
    assert.match(big.error.message as string, /at most 16/, "the message gives the limit");
  });

  it("ignores JSON-RPC responses sent by the client", async () => {
    const c = await open();
    c.socket.send({ jsonrpc: "2.0", id: 99, result: { outcome: "ok" } });
    c.socket.send({ jsonrpc: "2.0", id: 100, error: { code: -32603, message: "client side" } });
    await assertSilent(c, "a response from the client");
  });

  it("answers a rate-limited request with -32029 under its id, and a rate-limited notification with nothing", async () => {
    const limited = await startTestGateway({ limits: { messagesPerSecond: 1, messageBurst: 2, rateLimitStrikes: 50 } });
    try {
      const c = await AcpClient.connect(limited, await limited.token("alice"));
      clients.push(c);
      c.notify("session/cancel", { sessionId: "sess_a" });
      c.notify("session/cancel", { sessionId: "sess_b" });
      c.notify("session/cancel", { sessionId: "sess_c" });
      await assertSilent(c, "a rate-limited notification");
      const err = await c.error("initialize", { protocolVersion: 1 }, -32029, "a rate-limited request");
      assert.equal(err.data?.code, "LG_ERR_RATE_LIMITED", "data.code of the rate limit");
      assert.ok(Number.isInteger(err.data?.retryAfter) && (err.data?.retryAfter as number) >= 1, `data.retryAfter in whole seconds: ${JSON.stringify(err.data)}`);
    } finally {
      await limited.close();
    }
  });
});
