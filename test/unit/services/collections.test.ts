import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CollectionService } from "../../../src/services/collections.js";
import { DocumentService } from "../../../src/services/documents.js";
import { KnowledgeError } from "../../../src/services/knowledge-error.js";
import { LibraryService } from "../../../src/services/library.js";
import { TriplesService } from "../../../src/services/triples.js";
import { openTempStore, type TempStore } from "../../helpers/temp-store.js";

describe("CollectionService over the SQLite store", () => {
  let temp: TempStore;
  let collections: CollectionService;
  let library: LibraryService;
  let triples: TriplesService;
  before(async () => {
    temp = await openTempStore();
    const documents = new DocumentService(temp.store.documents);
    await documents.load();
    triples = new TriplesService(temp.store.triples);
    library = new LibraryService(documents, temp.store.processing, temp.store.collections, triples);
    collections = new CollectionService(temp.store.collections, triples, library);
  });
  after(() => temp.close());

  it("creates a collection, then updates only the fields given", async () => {
    const created = await collections.update({ collection: "research", user: "alice", name: "Research", description: "Papers", tags: ["science", "ml"] });
    assert.deepEqual({ ...created, createdAt: 0, updatedAt: 0 }, { collection: "research", user: "alice", name: "Research", description: "Papers", tags: ["science", "ml"], createdAt: 0, updatedAt: 0 });
    const updated = await collections.update({ collection: "research", user: "alice", description: "Papers and notes" });
    assert.equal(updated.name, "Research", "name kept");
    assert.equal(updated.description, "Papers and notes");
    assert.deepEqual(updated.tags, ["science", "ml"], "tags kept");
    assert.equal(updated.createdAt, created.createdAt);
    assert.ok(updated.updatedAt >= created.updatedAt);
  });

  it("lists by user and by tag, with a limit", async () => {
    await collections.update({ collection: "recipes", user: "bob", name: "Recipes", tags: ["food"] });
    await collections.update({ collection: "archive", user: "alice", tags: [] });
    assert.deepEqual((await collections.list({ user: "alice" })).map((c) => c.collection), ["archive", "research"]);
    assert.deepEqual((await collections.list()).map((c) => c.collection), ["archive", "recipes", "research"]);
    assert.deepEqual((await collections.list({ tagFilter: ["food", "ml"] })).map((c) => c.collection), ["recipes", "research"], "any of the tags");
    assert.deepEqual((await collections.list({ limit: 1 })).map((c) => c.collection), ["archive"]);
  });

  it("deletes a collection with its triples and document membership, keeping the documents", async () => {
    const s = { value: "urn:s", kind: "i" as const };
    await triples.add("research", "core:x", [{ s, p: s, o: s }]);
    await library.add({ id: "paper", user: "alice", collection: "research", content: Buffer.from("Transformers attend.") });
    const deleted = await collections.delete("research");
    assert.deepEqual(deleted, { triples: 1, processings: 0, documents: 1 });
    assert.equal(await collections.get("research"), undefined);
    assert.deepEqual(await triples.match("research", {}, 10), []);
    assert.deepEqual([...(await library.documentIdsIn("research"))], []);
    assert.equal(library.get("alice", "paper").id, "paper", "the document stays");
  });

  it("refuses to delete a collection that does not exist", async () => {
    await assert.rejects(collections.delete("never"), (e: unknown) => e instanceof KnowledgeError && e.kind === "notFound" && e.message === 'collection "never" not found');
  });
});
