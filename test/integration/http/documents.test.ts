import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import type { ChatEvent } from "../../../src/services/chat/service.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { assertRecentIso, expectJson, expectJsonError } from "../../helpers/http.js";

interface Doc {
  id: string;
  title: string;
  content: string;
  metadata: unknown;
  created_at: string;
}
interface Listed {
  id: string;
  title: string;
  metadata: unknown;
  created_at: string;
  length: number;
}

describe("REST /api/v1/documents", () => {
  let gw: TestGateway;
  let n = 0;

  const add = (body: unknown) => gw.api("/api/v1/documents", { body });

  /** Asks the gateway's chat service (the embedded engine) and returns the answer and its sources. */
  async function ask(query: string): Promise<{ answer: string; sources: string[] }> {
    let answer = "";
    let sources: string[] = [];
    for await (const ev of gw.server.context.chat.stream({ user: "reader", query }) as AsyncIterable<ChatEvent>) {
      if (ev.type === "delta") answer += ev.text;
      if (ev.type === "sources") sources = ev.sources.map((s) => s.id);
    }
    return { answer, sources };
  }

  before(async () => {
    gw = await startTestGateway();
  });
  after(async () => {
    const dataDir = gw.dataDir;
    await gw.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("adds a document (201 with its view) and reads it back", async () => {
    const doc = await expectJson<Doc>(await add({ title: "Runbook", content: "Restart the worker with systemctl.", metadata: { team: "ops" } }), 201, "add");
    assert.match(doc.id, /^[0-9a-f-]{36}$/, "a generated id");
    assert.equal(doc.title, "Runbook", "title");
    assert.equal(doc.content, "Restart the worker with systemctl.", "content");
    assert.deepEqual(doc.metadata, { team: "ops" }, "metadata");
    assertRecentIso(doc.created_at, "created_at");
    assert.deepEqual(await expectJson<Doc>(await gw.api(`/api/v1/documents/${doc.id}`), 200, "get"), doc, "get returns the same document");
  });

  it("lists documents without their content, with its length", async () => {
    const id = `listed-${++n}`;
    await expectJson(await add({ id, title: "Listed", content: "0123456789" }), 201, "add");
    const body = await expectJson<{ documents: Listed[] }>(await gw.api("/api/v1/documents"), 200, "list");
    const entry = body.documents.find((d) => d.id === id);
    assert.ok(entry, `the list should include ${id}`);
    assert.deepEqual(Object.keys(entry).sort(), ["created_at", "id", "length", "metadata", "title"], "list entry keys");
    assert.equal(entry.length, 10, "content length");
  });

  it("replaces a document given the same id", async () => {
    const id = `replaced-${++n}`;
    const first = await expectJson<Doc>(await add({ id, title: "v1", content: "first" }), 201, "first");
    const second = await expectJson<Doc>(await add({ id, title: "v2", content: "second" }), 201, "second");
    assert.equal(second.created_at, first.created_at, "created_at kept");
    const got = await expectJson<Doc>(await gw.api(`/api/v1/documents/${id}`), 200, "get");
    assert.equal(got.content, "second", "the new content");
    const list = await expectJson<{ documents: Listed[] }>(await gw.api("/api/v1/documents"), 200, "list");
    assert.equal(list.documents.filter((d) => d.id === id).length, 1, "listed once");
  });

  it("deletes a document: 204, then 404 on get and on a second delete", async () => {
    const id = `deleted-${++n}`;
    await expectJson(await add({ id, title: "Temp", content: "temporary" }), 201, "add");
    const res = await gw.api(`/api/v1/documents/${id}`, { method: "DELETE" });
    assert.equal(res.status, 204, `delete status: ${res.status} ${await res.text()}`);
    await expectJsonError(await gw.api(`/api/v1/documents/${id}`), 404, "LG_ERR_DOCUMENT_NOT_FOUND", "get after delete");
    await expectJsonError(await gw.api(`/api/v1/documents/${id}`, { method: "DELETE" }), 404, "LG_ERR_DOCUMENT_NOT_FOUND", "second delete");
  });

  it("answers 404 for an unknown document", async () => {
    await expectJsonError(await gw.api("/api/v1/documents/never-added"), 404, "LG_ERR_DOCUMENT_NOT_FOUND", "unknown");
  });

  const bad: [string, unknown][] = [
    ["no title", { content: "x" }],
    ["no content", { title: "x" }],
    ["empty content", { title: "x", content: "" }],
    ["an id with spaces", { id: "a b", title: "x", content: "y" }],
    ["metadata that is not an object", { title: "x", content: "y", metadata: "z" }],
    ["malformed JSON", "{"],
  ];
  for (const [what, body] of bad) {
    it(`answers 400 LG_ERR_REQUEST_INVALID for ${what}`, async () => {
      await expectJsonError(await add(body), 400, "LG_ERR_REQUEST_INVALID", what);
    });
  }

  it("answers 401 without the API key on every route", async () => {
    const none = { authorization: "" };
    await expectJsonError(await gw.api("/api/v1/documents", { body: { title: "x", content: "y" }, headers: none }), 401, "LG_ERR_API_KEY", "add");
    await expectJsonError(await gw.api("/api/v1/documents", { headers: none }), 401, "LG_ERR_API_KEY", "list");
    await expectJsonError(await gw.api("/api/v1/documents/x", { headers: none }), 401, "LG_ERR_API_KEY", "get");
    await expectJsonError(await gw.api("/api/v1/documents/x", { method: "DELETE", headers: none }), 401, "LG_ERR_API_KEY", "delete");
  });

  it("feeds the embedded chat engine: an added document answers, a deleted one no longer does", async () => {
    const id = `chat-${++n}`;
    await expectJson(await add({ id, title: "Deployment guide", content: "Deployments run every Tuesday through the blue-green pipeline. Rollbacks take five minutes." }), 201, "add");
    const a = await ask("When do deployments run?");
    assert.match(a.answer, /every Tuesday/, `the answer should quote the added document: ${a.answer}`);
    assert.deepEqual(a.sources, [id], "the added document is the source");
    const res = await gw.api(`/api/v1/documents/${id}`, { method: "DELETE" });
    assert.equal(res.status, 204, "delete");
    const b = await ask("When do deployments run?");
    assert.doesNotMatch(b.answer, /every Tuesday/, `a deleted document must not be quoted: ${b.answer}`);
    assert.ok(!b.sources.includes(id), `the deleted document must not be a source: ${JSON.stringify(b.sources)}`);
  });

  it("keeps documents across a gateway restart", async () => {
    const dataDir = gw.dataDir;
    const id = `persisted-${++n}`;
    await expectJson(await add({ id, title: "Persisted", content: "Stored in SQLite." }), 201, "add");
    await gw.server.close();
    gw = await startTestGateway({ dataDir });
    const got = await expectJson<Doc>(await gw.api(`/api/v1/documents/${id}`), 200, "get after restart");
    assert.equal(got.content, "Stored in SQLite.", "content after restart");
  });
});
