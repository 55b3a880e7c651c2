import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import type { TestClient } from "../../helpers/client.js";
import { ask, assertError, call, connectTg } from "./tg-client.js";

const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64");
/** A tiny PDF-like file: the signature, then bytes that are not UTF-8. */
const PDF = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.from([0xe2, 0xe3, 0xcf, 0xd3, 0x00, 0xff, 0x0a])]);

describe("TrustGraph librarian over the socket", () => {
  let gw: TestGateway;
  let client: TestClient;
  before(async () => {
    gw = await startTestGateway();
    client = await connectTg(gw);
  });
  after(async () => {
    client.close();
    await gw.close();
  });

  const err = async (request: Record<string, unknown>, type: string, message: RegExp) => {
    const frames = await call(client, "librarian", request);
    assertError(frames.at(-1), type, JSON.stringify(request));
    assert.match(frames.at(-1)!.error.message, message);
  };

  it("adds a text document that the chat engine's search finds, and reads back its metadata and bytes", async () => {
    const text = "Heat exchangers foul when the coolant is hard water.\n";
    const metadata = [{ s: { v: "https://ex.org/doc/hx", e: true }, p: { v: "http://purl.org/dc/terms/creator", e: true }, o: { v: "Ann", e: false } }];
    const added = await ask(client, "librarian", {
      operation: "add-document",
      "document-metadata": { id: "hx", time: 1700000000, kind: "text/plain", title: "Heat exchangers", comments: "plant notes", metadata, user: "trustgraph", tags: ["plant"] },
      content: b64(text),
    });
    assert.deepEqual(added, { "document-id": "hx" });
    assert.equal(gw.server.context.documents.search("coolant")[0]?.id, "hx", "DocumentService (chat engine, document-rag) finds it");
    const expected = { id: "hx", time: 1700000000, kind: "text/plain", title: "Heat exchangers", comments: "plant notes", metadata, user: "trustgraph", tags: ["plant"] };
    assert.deepEqual(await ask(client, "librarian", { operation: "get-document-metadata", "document-id": "hx", user: "trustgraph" }), { "document-metadata": expected });
    assert.deepEqual(await ask(client, "librarian", { operation: "get-document-content", "document-id": "hx" }), { content: b64(text) });
    const list = await ask(client, "librarian", { operation: "list-documents", user: "trustgraph" });
    assert.deepEqual(list["document-metadatas"], [expected]);
  });

  it("keeps a PDF byte-exact but does not index it", async () => {
    await ask(client, "librarian", { operation: "add-document", "document-metadata": { id: "manual", kind: "application/pdf", title: "Manual" }, content: b64(PDF) });
    assert.deepEqual(await ask(client, "librarian", { operation: "get-document-content", "document-id": "manual" }), { content: b64(PDF) });
    assert.deepEqual(gw.server.context.documents.search("PDF"), [], "no text is extracted from PDFs");
  });

  it("streams a document's bytes in chunk-size frames, or answers them in one frame without streaming", async () => {
    const frames = await call(client, "librarian", { operation: "stream-document", "document-id": "manual", "chunk-size": 6, streaming: true });
    const total = Math.ceil(PDF.length / 6);
    assert.deepEqual(
      frames.map((f) => [f.response["chunk-index"], f.response["total-chunks"], f.complete]),
      Array.from({ length: total }, (_, i) => [i, total, i === total - 1]),
    );
    assert.deepEqual(Buffer.concat(frames.map((f) => Buffer.from(f.response.content, "base64"))), PDF, "the chunks are the bytes, in order");
    assert.deepEqual(await ask(client, "librarian", { operation: "stream-document", "document-id": "manual" }), { content: b64(PDF), "chunk-index": 0, "total-chunks": 1 });
  });

  it("reads underscore keys and writes them for a client that asks for underscores", async () => {
    const under = await connectTg(gw, { spelling: "underscore" });
    try {
      under.send({ id: "u1", service: "librarian", request: { operation: "add-document", document_metadata: { id: "under", kind: "text/markdown", title: "Under" }, content: b64("# Snake case") } });
      const added = await under.next((f) => f.id === "u1");
      assert.deepEqual(added, { id: "u1", response: { document_id: "under" }, complete: true });
      under.send({ id: "u2", service: "librarian", request: { operation: "list-documents" } });
      const listed = await under.next((f) => f.id === "u2");
      assert.ok(Array.isArray(listed.response.document_metadatas), `document_metadatas in ${JSON.stringify(listed)}`);
      assert.ok(listed.response.document_metadatas.some((d: { id: string }) => d.id === "under"));
    } finally {
      under.close();
    }
  });

  it("starts, lists and stops processing; a processed document joins the processing's collection", async () => {
    const pm = { id: "proc-1", "document-id": "hx", time: 1700000001, flow: "default", user: "trustgraph", collection: "plant", tags: ["t1"] };
    assert.deepEqual(await ask(client, "librarian", { operation: "start-processing", "processing-metadata": pm }), {});
    assert.deepEqual(await ask(client, "librarian", { operation: "list-processing", user: "trustgraph" }), { "processing-metadatas": [pm] });
    assert.deepEqual([...(await gw.server.context.library.documentIdsIn("plant"))], ["hx"]);
    assert.deepEqual(await ask(client, "librarian", { operation: "stop-processing", "processing-id": "proc-1" }), {});
    assert.deepEqual(await ask(client, "librarian", { operation: "list-processing" }), { "processing-metadatas": [] });
    assert.deepEqual([...(await gw.server.context.library.documentIdsIn("plant"))], []);
  });

  it("answers clear errors for unknown ids, bad base64 and missing fields, and the socket stays open", async () => {
    await err({ operation: "get-document-metadata", "document-id": "nope" }, "not-found", /document "nope" not found/);
    await err({ operation: "get-document-content", "document-id": "nope" }, "not-found", /not found/);
    await err({ operation: "remove-document", "document-id": "nope" }, "not-found", /not found/);
    await err({ operation: "stop-processing", "processing-id": "nope" }, "not-found", /processing "nope" not found/);
    await err({ operation: "add-document", "document-metadata": { id: "bad" }, content: "not base64!" }, "invalid-request", /"content" is not valid base64/);
    await err({ operation: "add-document", content: b64("x") }, "invalid-request", /"document-metadata" is required/);
    await err({ operation: "add-document", "document-metadata": { id: "hx" }, content: b64("again") }, "invalid-request", /document "hx" already exists/);
    await err({ operation: "get-document-content" }, "invalid-request", /"document-id" is required/);
    await err({ operation: "start-processing", "processing-metadata": { id: "p", "document-id": "nope", flow: "default" } }, "not-found", /document "nope" not found/);
    await err({ operation: "start-processing", "processing-metadata": { id: "p", "document-id": "hx", flow: "stopped" } }, "not-found", /flow "stopped" is not started/);
    await err({ operation: "shred-document" }, "invalid-request", /unknown librarian operation "shred-document"/);
    await err({ operation: "get-document-metadata", "document-id": "hx", user: "mallory" }, "not-found", /not found/);
    assert.ok((await ask(client, "librarian", { operation: "list-documents" }))["document-metadatas"].length >= 2, "the socket still answers");
  });

  it("answers the same bodies over the REST twins", async () => {
    const post = async (path: string, body: unknown) => {
      const res = await fetch(gw.url + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const added = await post("/api/v1/librarian", { operation: "add-document", "document-metadata": { id: "rest", kind: "text/plain" }, content: b64("Over HTTP.") });
    assert.deepEqual(added, { status: 200, body: { "document-id": "rest" } });
    assert.deepEqual(await post("/api/v1/librarian", { operation: "get-document-content", "document-id": "rest" }), { status: 200, body: { content: b64("Over HTTP.") } });
    const missing = await post("/api/v1/librarian", { operation: "get-document-content", "document-id": "absent" });
    assert.deepEqual(missing, { status: 404, body: { error: { type: "not-found", message: 'document "absent" not found' } } });
    const bad = await post("/api/v1/librarian", { operation: "add-document", document_metadata: {}, content: "***" });
    assert.deepEqual(bad, { status: 400, body: { error: { type: "invalid-request", message: '"content" is not valid base64' } } });
    assert.deepEqual(await post("/api/v1/flow/default/service/triples", { collection: "empty" }), { status: 200, body: { response: [] } });
  });

  it("uploads a document in chunks: begin, chunks in any order, status, complete; abort and list", async () => {
    const body = Buffer.concat([PDF, Buffer.from(" tail of the file")]);
    const begun = await ask(client, "librarian", { operation: "begin-upload", "document-metadata": { id: "chunked.pdf", kind: "application/pdf", title: "Chunked" }, "total-size": body.length, "chunk-size": 10 });
    const total = Math.ceil(body.length / 10);
    assert.deepEqual({ ...begun, "upload-id": "" }, { "upload-id": "", "document-id": "chunked.pdf", "chunk-size": 10, "total-chunks": total });
    const uploadId = begun["upload-id"] as string;
    const chunk = (i: number) => ({ operation: "upload-chunk", "upload-id": uploadId, "chunk-index": i, content: b64(body.subarray(i * 10, i * 10 + 10)) });
    const last = await ask(client, "librarian", chunk(total - 1));
    assert.deepEqual(last, { "upload-id": uploadId, "chunk-index": total - 1, "chunks-received": 1, "total-chunks": total, "bytes-received": body.length - (total - 1) * 10, "total-bytes": body.length });
    const status = await ask(client, "librarian", { operation: "get-upload-status", "upload-id": uploadId });
    assert.equal(status["upload-state"], "in-progress");
    assert.deepEqual(status["missing-chunks"], Array.from({ length: total - 1 }, (_, i) => i));
    const listed = await ask(client, "librarian", { operation: "list-uploads" });
    assert.deepEqual(listed["upload-sessions"].map((u: Record<string, unknown>) => [u["upload-id"], u["document-id"], u["chunks-received"]]), [[uploadId, "chunked.pdf", 1]]);
    const early = await call(client, "librarian", { operation: "complete-upload", "upload-id": uploadId });
    assertError(early.at(-1), "invalid-request", "complete with chunks missing");
    for (let i = 0; i < total - 1; i++) await ask(client, "librarian", chunk(i));
    assert.equal((await ask(client, "librarian", { operation: "get-upload-status", "upload-id": uploadId }))["upload-state"], "ready");
    assert.deepEqual(await ask(client, "librarian", { operation: "complete-upload", "upload-id": uploadId }), { "document-id": "chunked.pdf", "object-id": "chunked.pdf" });
    assert.deepEqual(await ask(client, "librarian", { operation: "get-document-content", "document-id": "chunked.pdf" }), { content: b64(body) });
    const again = await call(client, "librarian", { operation: "get-upload-status", "upload-id": uploadId });
    assertError(again.at(-1), "not-found", "a completed upload");

    const under = await connectTg(gw, { spelling: "underscore" });
    try {
      under.send({ id: "b1", service: "librarian", request: { operation: "begin-upload", document_metadata: { id: "aborted" }, total_size: 3 } });
      const b = await under.next((f) => f.id === "b1");
      assert.equal(b.response.total_chunks, 1, JSON.stringify(b));
      under.send({ id: "b2", service: "librarian", request: { operation: "abort-upload", upload_id: b.response.upload_id } });
      assert.deepEqual(await under.next((f) => f.id === "b2"), { id: "b2", response: {}, complete: true });
    } finally {
      under.close();
    }
    assert.deepEqual(await ask(client, "librarian", { operation: "list-uploads" }), { "upload-sessions": [] });
    await err({ operation: "upload-chunk", "upload-id": "nope", "chunk-index": 0, content: b64("x") }, "not-found", /upload "nope" not found/);
    await err({ operation: "begin-upload", "document-metadata": {} }, "invalid-request", /"total-size" must be an integer from 1/);
  });

  it("removes a document", async () => {
    await ask(client, "librarian", { operation: "add-document", "document-metadata": { id: "gone" }, content: b64("ephemeral") });
    assert.deepEqual(await ask(client, "librarian", { operation: "remove-document", "document-id": "gone" }), {});
    assert.equal(gw.server.context.documents.get("gone"), undefined);
  });
});

describe("TrustGraph librarian across a restart", () => {
  it("keeps documents, their bytes and processings when the gateway restarts on the same data dir", async () => {
    const first = await startTestGateway();
    const dataDir = first.dataDir;
    let c = await connectTg(first);
    await ask(c, "librarian", { operation: "add-document", "document-metadata": { id: "kept.pdf", kind: "application/pdf" }, content: b64(PDF) });
    await ask(c, "librarian", { operation: "add-document", "document-metadata": { id: "kept.txt", kind: "text/plain", title: "Kept" }, content: b64("Durable narwhal notes.") });
    await ask(c, "librarian", { operation: "start-processing", "processing-metadata": { id: "pk", "document-id": "kept.txt", collection: "durable" } });
    c.close();
    await first.server.close();
    const second = await startTestGateway({ dataDir });
    try {
      c = await connectTg(second);
      assert.deepEqual(await ask(c, "librarian", { operation: "get-document-content", "document-id": "kept.pdf" }), { content: b64(PDF) });
      assert.equal((await ask(c, "librarian", { operation: "get-document-metadata", "document-id": "kept.txt" }))["document-metadata"].title, "Kept");
      assert.deepEqual((await ask(c, "librarian", { operation: "list-processing" }))["processing-metadatas"].map((p: { id: string }) => p.id), ["pk"]);
      assert.equal(second.server.context.documents.search("narwhal")[0]?.id, "kept.txt");
      c.close();
    } finally {
      await second.close();
      const { rm } = await import("node:fs/promises");
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
