import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import type { TestClient } from "../../helpers/client.js";
import { ask, assertError, call, connectTg } from "./tg-client.js";

const u = (v: string) => ({ v: `http://ex.org/${v}`, e: true });
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe("TrustGraph collection-management over the socket", () => {
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

  it("creates and updates a collection, answering its metadata", async () => {
    const created = await ask(client, "collection-management", { operation: "update-collection", user: "trustgraph", collection: "research", name: "Research", description: "Papers", tags: ["science"] });
    const c = created.collections[0];
    assert.deepEqual({ ...c, "created-at": "", "updated-at": "" }, { user: "trustgraph", collection: "research", name: "Research", description: "Papers", tags: ["science"], "created-at": "", "updated-at": "" });
    assert.match(c["created-at"], ISO);
    const updated = await ask(client, "collection-management", { operation: "update-collection", collection: "research", description: "Papers and notes" });
    assert.deepEqual([updated.collections[0].name, updated.collections[0].description, updated.collections[0].tags], ["Research", "Papers and notes", ["science"]]);
  });

  it("lists a user's collections, filtered by tag (tag_filter spelling too), with created_at for underscore clients", async () => {
    await ask(client, "collection-management", { operation: "update-collection", collection: "recipes", tags: ["food"] });
    const all = await ask(client, "collection-management", { operation: "list-collections", user: "trustgraph" });
    assert.deepEqual(all.collections.map((c: { collection: string }) => c.collection), ["recipes", "research"]);
    const under = await connectTg(gw, { spelling: "underscore" });
    try {
      under.send({ id: "c1", service: "collection-management", request: { operation: "list-collections", tag_filter: ["food"] } });
      const r = await under.next((f) => f.id === "c1");
      assert.deepEqual(r.response.collections.map((c: { collection: string }) => c.collection), ["recipes"]);
      assert.match(r.response.collections[0].created_at, ISO, JSON.stringify(r));
    } finally {
      under.close();
    }
    assert.deepEqual((await ask(client, "collection-management", { operation: "list-collections", user: "nobody" })).collections, []);
  });

  it("deletes a collection with its triples and its documents' membership, keeping the documents", async () => {
    await ask(client, "knowledge", { operation: "put-kg-core", id: "k", triples: { metadata: { id: "k", user: "trustgraph", collection: "research" }, triples: [{ s: u("a"), p: u("b"), o: u("c") }] } });
    await ask(client, "knowledge", { operation: "load-kg-core", id: "k", collection: "research" });
    await ask(client, "librarian", { operation: "add-document", "document-metadata": { id: "paper", kind: "text/plain" }, content: Buffer.from("Attention is all you need.").toString("base64") });
    await ask(client, "librarian", { operation: "start-processing", "processing-metadata": { id: "p1", "document-id": "paper", collection: "research" } });
    assert.equal((await ask(client, "triples", { collection: "research" }, "default")).response.length, 1);
    assert.deepEqual(await ask(client, "collection-management", { operation: "delete-collection", collection: "research" }), {});
    assert.deepEqual((await ask(client, "triples", { collection: "research" }, "default")).response, [], "its triples are gone");
    assert.deepEqual([...(await gw.server.context.library.documentIdsIn("research"))], [], "no document is in it");
    assert.deepEqual((await ask(client, "librarian", { operation: "list-processing" }))["processing-metadatas"], [], "its processings are gone");
    assert.equal((await ask(client, "librarian", { operation: "get-document-metadata", "document-id": "paper" }))["document-metadata"].id, "paper", "the document stays");
    assert.deepEqual((await ask(client, "collection-management", { operation: "list-collections" })).collections.map((c: { collection: string }) => c.collection), ["default", "recipes"]);
  });

  it("answers clear errors for an unknown collection and missing fields", async () => {
    const frames = await call(client, "collection-management", { operation: "delete-collection", collection: "never" });
    assertError(frames.at(-1), "not-found", "unknown collection");
    assert.equal(frames.at(-1)!.error.message, 'collection "never" not found');
    const missing = await call(client, "collection-management", { operation: "update-collection", name: "x" });
    assertError(missing.at(-1), "invalid-request", "no collection");
    assert.match(missing.at(-1)!.error.message, /"collection" is required/);
  });
});
