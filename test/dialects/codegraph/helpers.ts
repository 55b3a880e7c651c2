import assert from "node:assert/strict";
import { TestClient, type CloseInfo, type Frame } from "../../helpers/client.js";
import type { TestGateway } from "../../helpers/gateway.js";

/** CodeGraph's paths. */
export const CHAT = "/api/v1/ws/chat";
export const NOTIFICATIONS = "/api/v1/ws/notifications";
export const DASHBOARD = "/api/v2/dashboard/ws";
export const jobPath = (id: string): string => `/api/v1/ws/jobs/${encodeURIComponent(id)}`;

/** ISO 8601 UTC, as every `timestamp` must be. */
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Connects to a CodeGraph path as `user` and waits for `connected`. */
export async function connectAs(gw: TestGateway, path: string, user: string): Promise<{ client: TestClient; connected: Frame }> {
  const client = await TestClient.connect(gw.wsUrl(path, { token: await gw.token(user) }));
  const connected = await client.nextOfType("connected");
  return { client, connected };
}

/** The frames of one request, in arrival order, up to and including `last` (a type). */
export async function collect(client: TestClient, requestId: string, last: string, timeoutMs = 5000): Promise<Frame[]> {
  const out: Frame[] = [];
  for (;;) {
    const f = await client.next((x) => x.request_id === requestId, timeoutMs, `the frames of ${requestId} up to ${last}`);
    out.push(f);
    if (f.type === last) return out;
  }
}

/** Sends a chat.query and collects its frames up to chat.done. */
export function ask(client: TestClient, requestId: string, payload: Record<string, unknown>, timeoutMs?: number): Promise<Frame[]> {
  client.send({ type: "chat.query", payload, request_id: requestId });
  return collect(client, requestId, "chat.done", timeoutMs);
}

/** Asserts the shape of a complete answer: scenario, chunks (last final and empty), response, done. */
export function assertAnswerShape(frames: Frame[], what: string): { answer: string; response: Frame } {
  const types = frames.map((f) => f.type);
  assert.equal(types[0], "chat.scenario", `${what}: the first frame should be chat.scenario, got ${types.join(",")}`);
  assert.deepEqual(types.slice(-2), ["chat.response", "chat.done"], `${what}: should end with chat.response, chat.done; got ${types.join(",")}`);
  const chunks = frames.filter((f) => f.type === "chat.chunk");
  assert.ok(chunks.length >= 2, `${what}: expected streamed chunks, got ${chunks.length}`);
  assert.deepEqual(types.slice(1, -2), chunks.map(() => "chat.chunk"), `${what}: only chunks between scenario and response`);
  assert.ok(chunks.slice(0, -1).every((c) => c.payload.is_final === false), `${what}: every chunk but the last has is_final false`);
  assert.deepEqual(chunks.at(-1)!.payload, { content: "", is_final: true }, `${what}: the last chunk is empty and final`);
  for (const f of frames) assert.match(f.timestamp as string, ISO_UTC, `${what}: ${f.type} timestamp is ISO 8601 UTC`);
  const answer = chunks.map((c) => c.payload.content as string).join("");
  const response = frames.at(-2)!;
  assert.equal(response.payload.answer, answer, `${what}: chat.response's answer is the chunks joined`);
  return { answer, response };
}

/** Waits for the close and asserts it was `disconnected` then `code`/`reason`. */
export async function assertClosedWith(client: TestClient, code: number, reason: string, what: string): Promise<CloseInfo> {
  const info = await client.waitClosed(5000);
  assert.deepEqual({ code: info.code, reason: info.reason }, { code, reason }, `${what}: close code and reason`);
  const disconnected = client.frames.findIndex((f) => f.type === "disconnected");
  assert.ok(disconnected >= 0, `${what}: a disconnected message should precede the close; frames: ${JSON.stringify(client.frames)}`);
  assert.equal(disconnected, client.frames.length - 1, `${what}: disconnected should be the last frame`);
  assert.deepEqual(client.frames[disconnected]!.payload, {}, `${what}: disconnected has an empty payload`);
  return info;
}
