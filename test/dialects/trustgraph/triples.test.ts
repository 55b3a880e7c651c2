import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import type { TestClient } from "../../helpers/client.js";
import { ask, assertError, call, connectTg } from "./tg-client.js";

const u = (v: string) => ({ v: `http://ex.org/${v}`, e: true });
const l = (v: string) => ({ v, e: false });
const triple = (s: string, p: string, o: { v: string; e: boolean }) => ({ s: u(s), p: u(p), o });
const GRAPH = [
  triple("alice", "knows", u("bob")),
  triple("alice", "knows", u("carol")),
  triple("alice", "name", l("Alice")),
  triple("bob", "knows", u("carol")),
  triple("bob", "name", l("Bob")),
  triple("carol", "name", l("Carol")),
];
const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64");

describe("TrustGraph triples, text-load and document-load over the socket", () => {
  let gw: TestGateway;
  let client: TestClient;
  before(async () => {
    gw = await startTestGateway();
    client = await connectTg(gw);
    await ask(client, "knowledge", { operation: "put-kg-core", id: "g", triples: { metadata: { id: "g", user: "trustgraph", collection: "default" }, triples: GRAPH } });
    await ask(client, "knowledge", { operation: "load-kg-core", id: "g", flow: "default", collection: "default" });
  });
  after(async () => {
    client.close();
    await gw.close();
  });

  const q = async (request: Record<string, unknown>) => ((await ask(client, "triples", request, "default")).response as unknown[]).map((t) => JSON.stringify(t));
  const j = (...ts: unknown[]) => ts.map((t) => JSON.stringify(t));

  it("answers every pattern shape (none, s, p, o, sp, po, so, spo) in the default collection", async () => {
    assert.deepEqual(await q({}), j(...GRAPH), "no pattern: all, ordered by s, p, o");
    assert.deepEqual(await q({ s: u("bob") }), j(GRAPH[3], GRAPH[4]));
    assert.deepEqual(await q({ p: u("knows") }), j(GRAPH[0], GRAPH[1], GRAPH[3]));
    assert.deepEqual(await q({ o: u("carol") }), j(GRAPH[1], GRAPH[3]));
    assert.deepEqual(await q({ s: u("alice"), p: u("knows") }), j(GRAPH[0], GRAPH[1]));
    assert.deepEqual(await q({ p: u("name"), o: l("Bob") }), j(GRAPH[4]));
    assert.deepEqual(await q({ s: u("bob"), o: u("carol") }), j(GRAPH[3]));
    assert.deepEqual(await q({ s: u("alice"), p: u("knows"), o: u("carol") }), j(GRAPH[1]));
    assert.deepEqual(await q({ s: u("nobody") }), []);
  });

  it("honours limit for every shape", async () => {
    assert.deepEqual(await q({ limit: 2 }), j(GRAPH[0], GRAPH[1]));
    assert.deepEqual(await q({ p: u("knows"), limit: 1 }), j(GRAPH[0]));
    assert.deepEqual(await q({ o: u("carol"), limit: 1 }), j(GRAPH[1]));
    assert.deepEqual(await q({ s: u("alice"), p: u("knows"), limit: 1 }), j(GRAPH[0]));
    assert.deepEqual(await q({ limit: 0 }), []);
  });

  it("reads v2 terms ({t, i} and {t, l, v}) and answers in the seed form", async () => {
    assert.deepEqual(await q({ s: { t: "i", i: "http://ex.org/bob" }, p: { t: "i", i: "http://ex.org/name" } }), j(GRAPH[4]));
    assert.deepEqual(await q({ o: { t: "l", v: "Carol" } }), j(GRAPH[5]));
  });

  it("streams results in batch-size frames when streaming, complete on the last (batch_size spelling too)", async () => {
    const frames = await call(client, "triples", { p: u("knows"), streaming: true, batch_size: 2 }, "default");
    assert.deepEqual(
      frames.map((f) => [f.response.response.length, f.complete]),
      [
        [2, false],
        [1, true],
      ],
    );
    assert.deepEqual([...frames[0]!.response.response, ...frames[1]!.response.response], [GRAPH[0], GRAPH[1], GRAPH[3]]);
  });

  it("answers errors for bad terms, a bad limit and an unknown flow, and keeps the socket open", async () => {
    const err = async (request: Record<string, unknown>, flow: string, type: string, message: RegExp) => {
      const frames = await call(client, "triples", request, flow);
      assertError(frames.at(-1), type, JSON.stringify(request));
      assert.match(frames.at(-1)!.error.message, message);
    };
    await err({ s: "http://ex.org/alice" }, "default", "invalid-request", /"s" must be a term/);
    await err({ s: { e: true } }, "default", "invalid-request", /"s\.v" is required/);
    await err({ p: { t: "x" } }, "default", "invalid-request", /t is one of i, l, b/);
    await err({ limit: -1 }, "default", "invalid-request", /"limit" must be a non-negative integer/);
    await err({}, "no-such-flow", "flow-not-found", /Flow not found/);
    assert.equal((await q({ limit: 1 })).length, 1, "the socket still answers");
  });

  it("text-load adds searchable text to the library and its metadata triples to the collection's graph", async () => {
    const metadata = [triple("doc1", "title", l("Pump manual"))];
    const r = await ask(client, "text-load", { id: "doc1", text: b64("Centrifugal pumps cavitate at low inlet pressure."), collection: "manuals", metadata }, "default");
    assert.deepEqual(r, {});
    assert.equal((await gw.server.context.library.search("cavitate", { collection: "manuals" }))[0]?.id, "doc1");
    assert.deepEqual(await q({ collection: "manuals" }), j(metadata[0]));
    assert.deepEqual(await ask(client, "text-load", { id: "doc1", text: "Насосы кавитируют.", collection: "manuals" }, "default"), {}, "non-ASCII text is taken as it is; the same id replaces");
    assert.equal(gw.server.context.documents.get("doc1")?.content, "Насосы кавитируют.");
    assert.deepEqual(await q({ collection: "manuals" }), [], "replacing drops the old metadata triples");
    const bad = await call(client, "text-load", { text: "%%%" }, "default");
    assertError(bad.at(-1), "invalid-request", "bad base64");
    assert.match(bad.at(-1)!.error.message, /"text" is not valid base64/);
  });

  it("document-load keeps a PDF byte-exact in the library", async () => {
    const pdf = Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.from([0xde, 0xad, 0xbe, 0xef])]);
    assert.deepEqual(await ask(client, "document-load", { id: "doc2", data: b64(pdf) }, "default"), {});
    const meta = await ask(client, "librarian", { operation: "get-document-metadata", "document-id": "doc2" });
    assert.equal(meta["document-metadata"].kind, "application/pdf");
    assert.deepEqual(await ask(client, "librarian", { operation: "get-document-content", "document-id": "doc2" }), { content: b64(pdf) });
    const bad = await call(client, "document-load", { id: "doc3" }, "default");
    assertError(bad.at(-1), "invalid-request", "missing data");
    assert.match(bad.at(-1)!.error.message, /"data" is required/);
  });
});
