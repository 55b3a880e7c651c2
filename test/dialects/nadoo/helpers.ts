import assert from "node:assert/strict";
import { TestClient, type CloseInfo, type Frame } from "../../helpers/client.js";
import type { TestGateway } from "../../helpers/gateway.js";

/** Nadoo's paths. */
export const chatPath = (session: string): string => `/ws/chat/${encodeURIComponent(session)}`;
export const notificationsPath = (user: string): string => `/ws/notifications/${encodeURIComponent(user)}`;
export const workspacePath = (id: string): string => `/ws/workspaces/${encodeURIComponent(id)}`;
export const debugPath = (id: string): string => `/api/v1/ws/plugin/debug/${encodeURIComponent(id)}`;

/** ISO 8601 UTC, as every `timestamp` must be. */
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

let counter = 0;
/** A name unique within the test run (tests share no sessions, workspaces or users). */
export const unique = (prefix: string): string => `${prefix}-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 7)}`;

/** Opens a socket on `path` with `user`'s token (and extra query parameters). */
export async function openAs(gw: TestGateway, path: string, user: string, query: Record<string, string> = {}, claims?: Record<string, unknown>): Promise<TestClient> {
  const token = await gw.token(user, claims ? { claims } : undefined);
  return TestClient.connect(gw.wsUrl(path, { token, ...query }));
}

/** Joins a chat session as `user` and waits for `connected`. */
export async function joinChat(gw: TestGateway, session: string, user: string, query: Record<string, string> = {}, claims?: Record<string, unknown>): Promise<TestClient> {
  const client = await openAs(gw, chatPath(session), user, query, claims);
  const connected = await client.nextOfType("connected");
  assert.equal(connected.session_id, session, "connected names the session");
  return client;
}

/** Adds `user` to a chat session over REST. */
export async function addSessionMember(gw: TestGateway, session: string, user: string): Promise<void> {
  const res = await gw.api(`/api/v1/chat/sessions/${encodeURIComponent(session)}/members`, { body: { user_id: user } });
  assert.ok(res.status === 201 || res.status === 200, `adding ${user} to ${session} failed: ${res.status} ${await res.text()}`);
}

/** Frames up to and including the first of type `last`, in arrival order, skipping nothing. */
export async function framesUntil(client: TestClient, last: string, timeoutMs = 5000, what = `frames up to ${last}`): Promise<Frame[]> {
  const out: Frame[] = [];
  for (;;) {
    const f = await client.next(() => true, timeoutMs, what);
    out.push(f);
    if (f.type === last) return out;
  }
}

/** Waits for the close and asserts its code and reason. */
export async function assertClosed(client: TestClient, code: number, reason: string, what: string): Promise<CloseInfo> {
  const info = await client.waitClosed(5000);
  assert.deepEqual({ code: info.code, reason: info.reason }, { code, reason }, `${what}: close code and reason`);
  return info;
}

/** Loads a document into the embedded engine. */
export async function loadDocument(gw: TestGateway, title: string, content: string): Promise<void> {
  const res = await gw.api("/api/v1/documents", { body: { title, content } });
  assert.equal(res.status, 201, `loading "${title}" failed: ${await res.text()}`);
}
