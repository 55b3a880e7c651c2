import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DocumentService } from "../../../src/services/documents.js";
import { KnowledgeError } from "../../../src/services/knowledge-error.js";
import { LibraryUploads } from "../../../src/services/library-uploads.js";
import { LibraryService } from "../../../src/services/library.js";
import { TriplesService } from "../../../src/services/triples.js";
import { openTempStore, type TempStore } from "../../helpers/temp-store.js";

const notFound = (e: unknown) => e instanceof KnowledgeError && e.kind === "notFound";
const invalid = (e: unknown) => e instanceof KnowledgeError && e.kind === "invalid";
/** The first bytes of a PDF, with bytes that are not UTF-8. */
const PDF = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x34, 0x0a, 0xe2, 0xe3, 0xcf, 0xd3, 0x0a, 0x00, 0xff]);

describe("LibraryService over the SQLite store", () => {
  let temp: TempStore;
  let documents: DocumentService;
  let library: LibraryService;
  let triples: TriplesService;
  const open = async () => {
    documents = new DocumentService(temp.store.documents);
    await documents.load();
    triples = new TriplesService(temp.store.triples);
    library = new LibraryService(documents, temp.store.processing, temp.store.collections, triples);
  };
  before(async () => {
    temp = await openTempStore();
    await open();
  });
  after(() => temp.close());

  it("adds a text document that DocumentService searches, with its TrustGraph metadata", async () => {
    const doc = await library.add({
      id: "turbines",
      user: "alice",
      kind: "text/plain",
      title: "Turbines",
      comments: "maintenance notes",
      tags: ["eng"],
      time: 1700000000,
      metadata: [{ s: { v: "urn:doc", e: true }, p: { v: "urn:author", e: true }, o: { v: "Ann", e: false } }],
      content: Buffer.from("Gas turbines need inspection every 4000 hours.", "utf8"),
    });
    assert.deepEqual(doc, {
      id: "turbines",
      user: "alice",
      kind: "text/plain",
      title: "Turbines",
      comments: "maintenance notes",
      tags: ["eng"],
      time: 1700000000,
      metadata: [{ s: { v: "urn:doc", e: true }, p: { v: "urn:author", e: true }, o: { v: "Ann", e: false } }],
      collection: "default",
      searchable: true,
      size: 46,
    });
    assert.equal(documents.search("inspection")[0]?.id, "turbines", "the chat engine's search finds it");
    assert.equal(documents.get("turbines")?.content, "Gas turbines need inspection every 4000 hours.", "stored as text");
  });

  it("keeps a PDF byte-exact but does not search it", async () => {
    const doc = await library.add({ id: "manual.pdf", user: "alice", kind: "application/pdf", title: "Manual", content: PDF });
    assert.equal(doc.searchable, false);
    assert.equal(doc.size, PDF.length);
    assert.deepEqual(library.content("alice", "manual.pdf"), PDF, "the original bytes come back");
    assert.deepEqual(documents.search("PDF"), [], "binary content is not indexed");
    assert.equal((documents.get("manual.pdf")?.metadata as { encoding?: string }).encoding, "base64");
  });

  it("gives text back byte-exact, a byte order mark included", async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("Привет, мир", "utf8")]);
    await library.add({ id: "bom", user: "alice", kind: "text/markdown", content: bytes });
    assert.deepEqual(library.content("alice", "bom"), bytes);
    assert.equal(library.get("alice", "bom").title, "", "no title given");
  });

  it("guesses the kind of bytes given without one", async () => {
    assert.equal((await library.add({ user: "alice", content: Buffer.from("plain words") })).kind, "text/plain");
    const bin = await library.add({ user: "alice", content: PDF });
    assert.equal(bin.kind, "application/octet-stream");
    assert.match(bin.id, /^[0-9a-f-]{36}$/, "a generated id");
  });

  it("refuses a taken id unless asked to replace, and keeps users apart", async () => {
    await assert.rejects(library.add({ id: "turbines", user: "alice", content: Buffer.from("again") }), invalid);
    await assert.rejects(library.add({ id: "turbines", user: "bob", content: Buffer.from("mine now"), replace: true }), invalid, "replace never takes another user's document");
    assert.equal(documents.get("turbines")?.content, "Gas turbines need inspection every 4000 hours.");
    assert.throws(() => library.get("bob", "turbines"), notFound, "bob does not see alice's document");
    assert.deepEqual(library.list("bob"), []);
    assert.ok(library.list("alice").some((d) => d.id === "turbines"));
    assert.throws(() => library.content("alice", "nope"), notFound);
    await assert.rejects(library.remove("bob", "turbines"), notFound);
  });

  it("lists REST documents under the default user and in the default collection", async () => {
    await documents.add({ id: "rest-doc", title: "REST", content: "Compressors hum quietly." });
    assert.ok(library.list("trustgraph").some((d) => d.id === "rest-doc"));
    assert.ok((await library.documentIdsIn("default")).has("rest-doc"));
    assert.equal((await library.search("compressors", { collection: "default" }))[0]?.id, "rest-doc");
  });

  it("puts a document into a collection by processing, and stops", async () => {
    await library.startProcessing({ id: "p1", documentId: "turbines", user: "alice", flow: "default", collection: "research", tags: ["t"], time: 5 });
    assert.deepEqual([...(await library.documentIdsIn("research"))], ["turbines"]);
    assert.deepEqual((await library.search("inspection", { collection: "research" })).map((h) => h.id), ["turbines"]);
    assert.deepEqual(await library.search("compressors", { collection: "research" }), [], "REST docs are not in research");
    assert.equal((await temp.store.collections.get("research"))?.user, "alice", "processing creates the collection");
    const listed = await library.listProcessing("alice");
    assert.deepEqual(listed.map((p) => [p.id, p.documentId, p.flow, p.collection, p.tags, p.time]), [["p1", "turbines", "default", "research", ["t"], 5]]);
    await assert.rejects(library.startProcessing({ id: "p1", documentId: "turbines", user: "alice", flow: "f", collection: "x", tags: [], time: 0 }), invalid, "id in use");
    await assert.rejects(library.startProcessing({ id: "p2", documentId: "missing", user: "alice", flow: "f", collection: "x", tags: [], time: 0 }), notFound);
    await library.stopProcessing("alice", "p1");
    assert.deepEqual([...(await library.documentIdsIn("research"))], []);
    await assert.rejects(library.stopProcessing("alice", "p1"), notFound);
  });

  it("counts only text documents when asked for searchable ones", async () => {
    const all = await library.documentIdsIn("default");
    const text = await library.documentIdsIn("default", { searchableOnly: true });
    assert.ok(all.has("manual.pdf") && !text.has("manual.pdf"));
    assert.ok(text.has("turbines"));
  });

  it("adds loaded text's triples to the collection and removes them with the document", async () => {
    const s = { value: "urn:x", kind: "i" as const };
    await library.add({ id: "with-triples", user: "alice", collection: "kg", content: Buffer.from("x"), triples: [{ s, p: s, o: { value: "y", kind: "l" } }] });
    assert.equal((await triples.match("kg", {}, 10)).length, 1);
    await library.remove("alice", "with-triples");
    assert.deepEqual(await triples.match("kg", {}, 10), []);
    assert.equal(documents.get("with-triples"), undefined);
  });

  it("drops a collection's membership but keeps its documents", async () => {
    await library.add({ id: "in-x", user: "alice", collection: "x", content: Buffer.from("xylophones") });
    await library.startProcessing({ id: "px", documentId: "turbines", user: "alice", flow: "default", collection: "x", tags: [], time: 0 });
    assert.deepEqual(await library.dropCollection("x"), { processings: 1, documents: 1 });
    assert.deepEqual([...(await library.documentIdsIn("x"))], []);
    assert.equal(library.get("alice", "in-x").collection, null);
    assert.equal(documents.search("xylophones")[0]?.id, "in-x", "the document is still searchable without a collection filter");
  });

  it("keeps documents, kinds and processings across a restart", async () => {
    await library.startProcessing({ id: "p3", documentId: "manual.pdf", user: "alice", flow: "default", collection: "manuals", tags: [], time: 0 });
    await temp.reopen();
    await open();
    assert.deepEqual(library.content("alice", "manual.pdf"), PDF);
    assert.equal(library.get("alice", "turbines").comments, "maintenance notes");
    assert.deepEqual([...(await library.documentIdsIn("manuals"))], ["manual.pdf"]);
    assert.equal(documents.search("inspection")[0]?.id, "turbines");
  });
});

describe("LibraryUploads over the SQLite store", () => {
  let temp: TempStore;
  let uploads: LibraryUploads;
  let library: LibraryService;
  const open = async () => {
    const documents = new DocumentService(temp.store.documents);
    await documents.load();
    library = new LibraryService(documents, temp.store.processing, temp.store.collections, new TriplesService(temp.store.triples));
    uploads = new LibraryUploads(temp.store.uploads, library);
  };
  before(async () => {
    temp = await openTempStore();
    await open();
  });
  after(() => temp.close());

  const bytes = Buffer.from(Array.from({ length: 10 }, (_, i) => 200 + i));

  it("assembles chunks sent in any order into a byte-exact document, surviving a restart mid-way", async () => {
    const up = await uploads.begin("alice", { id: "big.bin", kind: "application/octet-stream", title: "Big" }, 10, 4);
    assert.deepEqual([up.documentId, up.chunkSize, up.totalChunks], ["big.bin", 4, 3]);
    const s1 = await uploads.chunk("alice", up.id, 2, bytes.subarray(8));
    assert.deepEqual([s1.state, s1.received, s1.missing, s1.bytesReceived], ["in-progress", [2], [0, 1], 2]);
    await uploads.chunk("alice", up.id, 0, bytes.subarray(0, 4));
    await temp.reopen();
    await open();
    await assert.rejects(uploads.complete("alice", up.id), (e: unknown) => e instanceof KnowledgeError && e.kind === "invalid" && /missing chunks 1/.test(e.message));
    const s2 = await uploads.chunk("alice", up.id, 1, bytes.subarray(4, 8));
    assert.equal(s2.state, "ready");
    const doc = await uploads.complete("alice", up.id);
    assert.deepEqual([doc.id, doc.title, doc.size, doc.searchable], ["big.bin", "Big", 10, false]);
    assert.deepEqual(library.content("alice", "big.bin"), bytes);
    await assert.rejects(uploads.status("alice", up.id), notFound, "a completed upload is gone");
  });

  it("refuses bad sizes, indexes, other users and taken ids; abort drops an upload", async () => {
    await assert.rejects(uploads.begin("alice", {}, 0), invalid);
    await assert.rejects(uploads.begin("alice", { id: "big.bin" }, 5), (e: unknown) => invalid(e) && /already exists/.test((e as Error).message));
    const up = await uploads.begin("alice", { title: "t" }, 5, 4);
    await assert.rejects(uploads.chunk("alice", up.id, 2, Buffer.alloc(1)), (e: unknown) => invalid(e) && /"chunk-index" must be from 0 to 1/.test((e as Error).message));
    await assert.rejects(uploads.chunk("alice", up.id, 1, Buffer.alloc(4)), (e: unknown) => invalid(e) && /chunk 1 must be 1 bytes, got 4/.test((e as Error).message));
    await assert.rejects(uploads.chunk("bob", up.id, 0, Buffer.alloc(4)), notFound);
    assert.deepEqual((await uploads.list("alice")).map((u) => [u.upload.id, u.chunksReceived]), [[up.id, 0]]);
    await uploads.abort("alice", up.id);
    assert.deepEqual(await uploads.list("alice"), []);
    await assert.rejects(uploads.abort("alice", up.id), notFound);
  });
});
