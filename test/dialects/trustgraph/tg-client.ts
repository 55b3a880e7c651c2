import assert from "node:assert/strict";
import type { TestGateway } from "../../helpers/gateway.js";
import { TestClient, type Frame } from "../../helpers/client.js";

/** The TrustGraph socket path. */
export const SOCKET = "/api/v1/socket";

/** Opens the TrustGraph socket (query parameters, subprotocols and headers optional). */
export function connectTg(gw: TestGateway, query: Record<string, string> = {}, protocols?: string[], headers?: Record<string, string>): Promise<TestClient> {
  return TestClient.connect(gw.wsUrl(SOCKET, query), protocols, headers ? { headers } : undefined);
}

/** Every frame of request `id` up to and including its `complete: true` frame, in arrival order. */
export async function framesOf(client: TestClient, id: string, timeoutMs = 5000): Promise<Frame[]> {
  const out: Frame[] = [];
  for (;;) {
    const f = await client.next((x) => x.id === id, timeoutMs, `a frame of request ${id}`);
    assert.equal(typeof f.complete, "boolean", `every frame carries complete: ${JSON.stringify(f)}`);
    out.push(f);
    if (f.complete) return out;
  }
}

let counter = 0;

/** Sends one request and returns all its frames. */
export async function call(client: TestClient, service: string, request: Record<string, unknown>, flow?: string): Promise<Frame[]> {
  const id = `t-${++counter}`;
  client.send({ id, service, ...(flow === undefined ? {} : { flow }), request });
  return framesOf(client, id);
}

/** Sends one request that must answer one final success frame; returns its `response`. */
export async function ask(client: TestClient, service: string, request: Record<string, unknown>, flow?: string): Promise<Frame> {
  const frames = await call(client, service, request, flow);
  assert.equal(frames.length, 1, `one frame answers ${service} ${JSON.stringify(request)}: ${JSON.stringify(frames)}`);
  const f = frames[0]!;
  assert.equal(f.error, undefined, `${service} ${JSON.stringify(request)} failed: ${JSON.stringify(f)}`);
  assert.equal(f.complete, true);
  return f.response as Frame;
}

/** Asserts a final error frame of `type` (mux-level: envelope `error` only). */
export function assertError(f: Frame | undefined, type: string, what: string): void {
  assert.ok(f, `${what}: no frame`);
  assert.equal(f.complete, true, `${what}: an error is final: ${JSON.stringify(f)}`);
  assert.equal(f.error?.type, type, `${what}: error type: ${JSON.stringify(f)}`);
  assert.equal(typeof f.error?.message, "string", `${what}: error message: ${JSON.stringify(f)}`);
}
