import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { GatewayError } from "../../../src/core/errors.js";
import { DocumentService } from "../../../src/services/documents.js";
import { openTempStore, type TempStore } from "../../helpers/temp-store.js";

describe("DocumentService over the SQLite store", () => {
  let stores: TempStore[] = [];
  async function fresh(): Promise<{ t: TempStore; docs: DocumentService }> {
    const t = await openTempStore();
    stores.push(t);
    const docs = new DocumentService(t.store.documents);
    await docs.load();
    return { t, docs };
  }
  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    stores = [];
  });

  it("adds a document with a generated id and returns its view", async () => {
    const { docs } = await fresh();
    const view = await docs.add({ title: "Guide", content: "Some text.", metadata: { lang: "en" } });
    assert.match(view.id, /^[0-9a-f-]{36}$/, `a generated id should be a UUID: ${view.id}`);
    assert.deepEqual({ ...view, created_at: "" }, { id: view.id, title: "Guide", content: "Some text.", metadata: { lang: "en" }, created_at: "" }, "view fields");
    assert.ok(Math.abs(Date.parse(view.created_at) - Date.now()) < 60_000, `created_at should be an ISO time of about now: ${view.created_at}`);
    assert.deepEqual(docs.get(view.id), view, "get should return the same view");
    assert.equal(docs.count, 1, "count");
  });

  it("replaces a document with the same id, keeping its creation time, and re-indexes it", async () => {
    const { docs } = await fresh();
    const first = await docs.add({ id: "guide", title: "Guide", content: "About turbines." });
    await new Promise((r) => setTimeout(r, 5));
    const second = await docs.add({ id: "guide", title: "Guide", content: "About compressors." });
    assert.equal(second.created_at, first.created_at, "replacing should keep created_at");
    assert.equal(docs.count, 1, "still one document");
    assert.deepEqual(docs.search("turbines"), [], "the old content should no longer be found");
    assert.equal(docs.search("compressors")[0]?.id, "guide", "the new content should be found");
  });

  it("removes a document from the store and the index; removing an unknown one is LG_ERR_DOCUMENT_NOT_FOUND", async () => {
    const { t, docs } = await fresh();
    await docs.add({ id: "gone", title: "Gone", content: "Ephemeral quokka facts." });
    await docs.remove("gone");
    assert.equal(docs.get("gone"), undefined, "get after remove");
    assert.deepEqual(docs.search("quokka"), [], "search after remove");
    assert.equal(await t.store.documents.get("gone"), undefined, "the store should no longer have it");
    await assert.rejects(docs.remove("gone"), (e: unknown) => e instanceof GatewayError && e.code === "LG_ERR_DOCUMENT_NOT_FOUND", "removing twice");
  });

  it("finds the stored documents again after a restart", async () => {
    const { t, docs } = await fresh();
    await docs.add({ id: "kept", title: "Kept", content: "Persistent narwhal notes." });
    const store = await t.reopen();
    const again = new DocumentService(store.documents);
    await again.load();
    assert.equal(again.count, 1, "count after restart");
    assert.equal(again.search("narwhal")[0]?.id, "kept", "search after restart");
  });

  it("ranks a title match above a passing mention and reports the matched terms", async () => {
    const { docs } = await fresh();
    await docs.add({ id: "mention", title: "Misc", content: "Among other things, caching is mentioned here once." });
    await docs.add({ id: "title", title: "Caching", content: "How the layer keeps results." });
    const hits = docs.search("caching");
    assert.deepEqual(hits.map((h) => h.id), ["title", "mention"], "the title match should rank first");
    assert.deepEqual(hits[0]?.terms, ["caching"], "matched terms");
  });

  it("matches word prefixes and small typos in longer words, and Russian words", async () => {
    const { docs } = await fresh();
    await docs.add({ id: "en", title: "Auth", content: "Tokens are verified with HS256." });
    await docs.add({ id: "ru", title: "Платежи", content: "Суммы хранятся в копейках." });
    assert.equal(docs.search("verif")[0]?.id, "en", "a prefix should match");
    assert.equal(docs.search("verifed")[0]?.id, "en", "a typo in a longer word should match");
    assert.equal(docs.search("копейках")[0]?.id, "ru", "a Russian word should match");
    assert.equal(docs.search("КОПЕЙКАХ")[0]?.id, "ru", "search should ignore case in Cyrillic");
  });

  it("ignores common words, so a question made of them matches nothing", async () => {
    const { docs } = await fresh();
    await docs.add({ id: "a", title: "The issue tracker", content: "It is the place where all of the issues are." });
    assert.deepEqual(docs.search("what is the"), [], "English stop words alone should match nothing");
    assert.deepEqual(docs.search("что это"), [], "Russian stop words alone should match nothing");
    assert.equal(docs.search("where are the issues")[0]?.id, "a", "a real word among them still matches");
  });
});
