import assert from "node:assert/strict";
import { TestClient, type Frame } from "../../helpers/client.js";
import type { TestGateway } from "../../helpers/gateway.js";

export const ACP_PATH = "/api/v1/acp/ws";

/** A JSON-RPC 2.0 client over a {@link TestClient}: numbered requests, notifications, update collection. */
export class AcpClient {
  private nextId = 1;

  constructor(readonly socket: TestClient) {}

  /** Opens `/api/v1/acp/ws`, with `?token=` when given. */
  static async connect(gw: TestGateway, token?: string): Promise<AcpClient> {
    return new AcpClient(await TestClient.connect(gw.wsUrl(ACP_PATH, token === undefined ? {} : { token })));
  }

  /** Sends a request and waits for the response carrying its id (result or error). */
  async call(method: string, params?: unknown, timeoutMs = 3000): Promise<Frame> {
    const id = this.nextId++;
    this.socket.send({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) });
    return this.response(id, timeoutMs, method);
  }

  /** Sends a request without waiting; returns its id. */
  start(method: string, params?: unknown): number {
    const id = this.nextId++;
    this.socket.send({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) });
    return id;
  }

  /** Waits for the response to request `id`. */
  response(id: string | number | null, timeoutMs = 3000, what = "a request"): Promise<Frame> {
    return this.socket.next((f) => f.id === id && !("method" in f), timeoutMs, `the response to ${what} (id ${JSON.stringify(id)})`);
  }

  /** Calls `method` and asserts a result; returns it. */
  async result(method: string, params?: unknown, timeoutMs?: number): Promise<unknown> {
    const res = await this.call(method, params, timeoutMs);
    assert.equal(res.jsonrpc, "2.0", `${method}: the response should carry jsonrpc "2.0": ${JSON.stringify(res)}`);
    assert.ok("result" in res, `${method} should succeed, got ${JSON.stringify(res)}`);
    return res.result;
  }

  /** Calls `method` and asserts a JSON-RPC error with `code`; returns the error object. */
  async error(method: string, params: unknown, code: number, what: string): Promise<Frame> {
    const res = await this.call(method, params);
    assert.ok(res.error, `${what}: expected an error ${code}, got ${JSON.stringify(res)}`);
    assert.equal(res.error.code, code, `${what}: error code should be ${code}, got ${JSON.stringify(res.error)}`);
    assert.equal(typeof res.error.message, "string", `${what}: the error should carry a message`);
    assert.ok(!("result" in res), `${what}: an error response must not also carry a result`);
    return res.error as Frame;
  }

  /** Sends a notification (no id). */
  notify(method: string, params?: unknown): void {
    this.socket.send({ jsonrpc: "2.0", method, ...(params === undefined ? {} : { params }) });
  }

  /** initialize + authenticate with `token`. */
  async handshake(token: string): Promise<void> {
    await this.result("initialize", { protocolVersion: 1, clientCapabilities: {} });
    await this.result("authenticate", { methodId: "bearer", token });
  }

  /** session/new; returns the session id. */
  async newSession(cwd = "/home/user/project"): Promise<string> {
    const res = (await this.result("session/new", { cwd, mcpServers: [] })) as { sessionId?: unknown };
    assert.equal(typeof res.sessionId, "string", `session/new should answer {sessionId}: ${JSON.stringify(res)}`);
    return res.sessionId as string;
  }

  /** Removes and returns the `session/update` notifications received so far for `sessionId`, in order. */
  takeUpdates(sessionId: string): Frame[] {
    const mine: Frame[] = [];
    const rest: Frame[] = [];
    for (const f of this.socket.frames) (f.method === "session/update" && f.params?.sessionId === sessionId ? mine : rest).push(f);
    this.socket.frames.splice(0, this.socket.frames.length, ...rest);
    return mine;
  }

  /** Waits for the first `session/update` of `sessionId` (left in place). */
  async firstUpdate(sessionId: string, timeoutMs = 3000): Promise<void> {
    const f = await this.socket.next((x) => x.method === "session/update" && x.params?.sessionId === sessionId, timeoutMs, `an update of ${sessionId}`);
    this.socket.frames.unshift(f);
  }

  /** Prompts with one text block; returns the stop reason and the text of the agent chunks, asserting their shape. */
  async prompt(sessionId: string, text: string, timeoutMs = 5000): Promise<{ stopReason: unknown; text: string; chunks: number }> {
    const res = (await this.result("session/prompt", { sessionId, prompt: [{ type: "text", text }] }, timeoutMs)) as { stopReason?: unknown };
    const updates = this.takeUpdates(sessionId);
    return { stopReason: res.stopReason, text: agentText(updates), chunks: updates.length };
  }

  close(): void {
    this.socket.close();
  }
}

/** Asserts every update is an `agent_message_chunk` with text content and returns their text, joined. */
export function agentText(updates: readonly Frame[]): string {
  let text = "";
  for (const u of updates) {
    assert.equal(u.jsonrpc, "2.0", `session/update should carry jsonrpc "2.0": ${JSON.stringify(u)}`);
    assert.ok(!("id" in u), `session/update is a notification and must carry no id: ${JSON.stringify(u)}`);
    assert.equal(u.params?.update?.sessionUpdate, "agent_message_chunk", `expected agent_message_chunk: ${JSON.stringify(u)}`);
    assert.equal(u.params.update.content?.type, "text", `chunk content should be {type:"text"}: ${JSON.stringify(u)}`);
    text += u.params.update.content.text as string;
  }
  return text;
}

/** A document whose few sentences are each `words` words long and all mention `term`: a long extractive answer. */
export function longDocument(term: string, words: number): { title: string; content: string } {
  const filler = Array.from({ length: words }, (_, i) => `word${i}`).join(" ");
  const sentences = [1, 2, 3].map((n) => `The ${term} part ${n} says ${filler}.`);
  return { title: `${term} manual`, content: sentences.join(" ") };
}
