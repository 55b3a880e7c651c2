import assert from "node:assert/strict";
import { TestClient, type Frame } from "../../helpers/client.js";
import type { TestGateway } from "../../helpers/gateway.js";

/** ISO 8601 UTC, as every `timestamp` must be. */
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

let nextId = 0;
/** A request id unique in this process. */
export const rid = (prefix = "r"): string => `${prefix}${++nextId}`;

/** Opens a UnaCODE socket on the main port's root with the token in `?token=` (or none). */
export async function connectUna(gw: TestGateway, user?: string): Promise<TestClient> {
  return TestClient.connect(user === undefined ? gw.wsUrl("/") : gw.wsUrl("/", { token: await gw.token(user) }));
}

/**
 * Opens an authenticated socket and waits until its authentication and subscriptions are in place: a
 * heartbeat is answered only after the connect-time token was handled.
 */
export async function connectReady(gw: TestGateway, user: string): Promise<TestClient> {
  const client = await connectUna(gw, user);
  const hb = await ask(client, { type: "heartbeat" });
  assert.equal(hb.type, "heartbeat", `the socket of ${user} should answer a heartbeat once authenticated: ${JSON.stringify(hb)}`);
  assert.equal(hb.user_id, user, "the heartbeat reply names the authenticated user");
  return client;
}

/** Sends `{id, timestamp, ...msg}` as the seed's client does and waits for the first message with that id. */
export async function ask(client: TestClient, msg: Record<string, unknown>, timeoutMs = 3000): Promise<Frame> {
  const id = rid();
  client.send({ id, timestamp: new Date().toISOString(), ...msg });
  return client.next((f) => f.id === id, timeoutMs, `the reply to ${JSON.stringify(msg).slice(0, 120)} (id ${id})`);
}

/** Sends a chat action with its fields at the top level (as the seed does) and waits for the reply. */
export function chat(client: TestClient, action: string, fields: Record<string, unknown> = {}, timeoutMs?: number): Promise<Frame> {
  return ask(client, { type: "chat", action, ...fields }, timeoutMs);
}

/** Starts a conversation and returns its id. */
export async function startConversation(client: TestClient, fields: Record<string, unknown> = {}): Promise<string> {
  const reply = await chat(client, "start_conversation", fields);
  assert.equal(reply.type, "chat", `start_conversation should be answered with a chat reply: ${JSON.stringify(reply)}`);
  return reply.payload.conversation_id as string;
}

/**
 * Sends a message and collects the messages answering it (chunks, then the `user_notification` or an
 * `error`); returns them in order.
 */
export async function sendMessage(client: TestClient, conversationId: string, content: string, metadata?: Record<string, unknown>, timeoutMs = 5000): Promise<Frame[]> {
  const id = rid("m");
  client.send({ id, type: "chat", action: "send_message", conversation_id: conversationId, content, ...(metadata ? { metadata } : {}) });
  const out: Frame[] = [];
  for (;;) {
    const f = await client.next((x) => x.id === id, timeoutMs, `the answer to send_message ${id}`);
    out.push(f);
    if (f.type === "user_notification" || f.type === "error") return out;
  }
}

/** Asserts an error message with `code`; returns its payload. */
export function assertError(f: Frame, code: string, what: string): Frame {
  assert.equal(f.type, "error", `${what}: expected an error message, got ${JSON.stringify(f)}`);
  assert.equal(f.payload.code, code, `${what}: error code should be ${code}, got ${JSON.stringify(f.payload)}`);
  assert.equal(typeof f.payload.error, "string", `${what}: error text should be a string`);
  assert.ok((f.payload.error as string).length > 0, `${what}: error text should not be empty`);
  return f.payload as Frame;
}

/** Asserts the outgoing envelope: `{id, type, payload, timestamp, user_id}` and nothing else. */
export function assertEnvelope(f: Frame, user: string | null, what: string): void {
  assert.deepEqual(Object.keys(f), ["id", "type", "payload", "timestamp", "user_id"], `${what}: envelope keys in the seed's order`);
  assert.ok(typeof f.id === "string" || typeof f.id === "number", `${what}: id should be set`);
  assert.match(f.timestamp as string, ISO_UTC, `${what}: timestamp is ISO 8601 UTC`);
  assert.equal(f.user_id, user, `${what}: user_id`);
}
