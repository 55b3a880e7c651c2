import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { KnowledgeError } from "../../../src/services/knowledge-error.js";
import { KnowledgeService } from "../../../src/services/knowledge.js";
import { TriplesService, type TripleRecord } from "../../../src/services/triples.js";
import { openTempStore, type TempStore } from "../../helpers/temp-store.js";

const iri = (value: string) => ({ value, kind: "i" as const });
const triple = (i: number): TripleRecord => ({ s: iri(`http://ex.org/n${i}`), p: iri("http://ex.org/next"), o: iri(`http://ex.org/n${i + 1}`) });
const notFound = (e: unknown) => e instanceof KnowledgeError && e.kind === "notFound" && /not found/.test(e.message);

describe("KnowledgeService over the SQLite store", () => {
  let temp: TempStore;
  let triples: TriplesService;
  let knowledge: KnowledgeService;
  const open = () => {
    triples = new TriplesService(temp.store.triples);
    knowledge = new KnowledgeService(temp.store.knowledgeCores, triples, temp.store.collections);
  };
  before(async () => {
    temp = await openTempStore();
    open();
  });
  after(() => temp.close());

  it("builds a core from several puts and gives its triples back in order, in batches", async () => {
    await knowledge.put("alice", "chain", { collection: "c1", triples: [0, 1, 2].map(triple) });
    await knowledge.put("alice", "chain", { triples: [3, 4].map(triple), entities: [{ entity: iri("http://ex.org/n0"), vectors: [[0.1, 0.2]] }] });
    const batches: string[][] = [];
    for await (const b of knowledge.tripleBatches("alice", "chain", 2)) batches.push(b.map((t) => t.s.value.replace("http://ex.org/", "")));
    assert.deepEqual(batches, [["n0", "n1"], ["n2", "n3"], ["n4"]]);
    const entities = [];
    for await (const b of knowledge.entityBatches("alice", "chain", 10)) entities.push(...b);
    assert.deepEqual(entities, [{ entity: iri("http://ex.org/n0"), vectors: [[0.1, 0.2]] }]);
    assert.equal((await knowledge.get("alice", "chain")).collection, "c1", "a put without a collection keeps the core's collection");
  });

  it("lists a user's cores only", async () => {
    await knowledge.put("bob", "other", { triples: [triple(9)] });
    assert.deepEqual(await knowledge.list("alice"), ["chain"]);
    assert.deepEqual(await knowledge.list("bob"), ["other"]);
    await assert.rejects(knowledge.get("bob", "chain"), notFound, "bob cannot read alice's core");
  });

  it("loads a core into a collection, where triples queries see it, and unloads it again", async () => {
    assert.equal(await knowledge.load("alice", "chain", "graph"), 5);
    assert.equal(await knowledge.load("alice", "chain", "graph"), 0, "loading twice adds nothing");
    assert.deepEqual((await triples.match("graph", { s: iri("http://ex.org/n2") }, 10)).map((t) => t.o.value), ["http://ex.org/n3"]);
    assert.equal((await temp.store.collections.get("graph"))?.user, "alice", "loading creates the collection");
    await knowledge.load("alice", "chain", "second");
    assert.equal(await knowledge.unload("alice", "chain", "graph"), 5);
    assert.deepEqual(await triples.match("graph", {}, 10), [], "unloaded from graph");
    assert.equal((await triples.match("second", {}, 10)).length, 5, "still loaded in the other collection");
    assert.equal(await knowledge.unload("alice", "chain"), 5, "without a collection, unload from all");
  });

  it("refuses unknown cores with not-found", async () => {
    await assert.rejects(knowledge.load("alice", "missing", "graph"), notFound);
    await assert.rejects(knowledge.unload("alice", "missing"), notFound);
    await assert.rejects(knowledge.delete("alice", "missing"), notFound);
  });

  it("keeps cores across a restart, and deletes them with their triples and entities", async () => {
    await temp.reopen();
    open();
    assert.deepEqual(await knowledge.list("alice"), ["chain"]);
    await knowledge.delete("alice", "chain");
    assert.deepEqual(await knowledge.list("alice"), []);
    const left = [];
    for await (const b of knowledge.tripleBatches("alice", "chain", 10)) left.push(...b);
    assert.deepEqual(left, [], "a deleted core has no triples");
    await knowledge.put("alice", "chain", { triples: [triple(7)] });
    const fresh = [];
    for await (const b of knowledge.tripleBatches("alice", "chain", 10)) fresh.push(...b);
    assert.equal(fresh.length, 1, "a core put again after deletion starts empty");
  });
});
