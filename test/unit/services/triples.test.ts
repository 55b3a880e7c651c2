import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TriplesService, type TermRecord, type TripleRecord } from "../../../src/services/triples.js";
import { openTempStore, type TempStore } from "../../helpers/temp-store.js";

const iri = (value: string) => ({ value, kind: "i" as const });
const lit = (value: string) => ({ value, kind: "l" as const });
const t = (s: string, p: string, o: TermRecord): TripleRecord => ({ s: iri(s), p: iri(p), o });
/** A triple as "s p o" with the object's kind, for readable comparisons. */
const show = (x: TripleRecord) => `${x.s.value} ${x.p.value} ${x.o.kind === "l" ? JSON.stringify(x.o.value) : x.o.value}`;

const KNOWS = "http://ex.org/knows";
const NAME = "http://www.w3.org/2000/01/rdf-schema#label";
const GRAPH: TripleRecord[] = [
  t("http://ex.org/alice", KNOWS, iri("http://ex.org/bob")),
  t("http://ex.org/alice", KNOWS, iri("http://ex.org/carol")),
  t("http://ex.org/alice", NAME, lit("Alice Liddell")),
  t("http://ex.org/bob", KNOWS, iri("http://ex.org/carol")),
  t("http://ex.org/bob", NAME, lit("Bob")),
  t("http://ex.org/carol", NAME, lit("Carol")),
];

describe("TriplesService over the SQLite store", () => {
  let temp: TempStore;
  let triples: TriplesService;
  before(async () => {
    temp = await openTempStore();
    triples = new TriplesService(temp.store.triples);
    assert.equal(await triples.add("people", "core:test", GRAPH), GRAPH.length, "every triple is new");
  });
  after(() => temp.close());

  const q = async (pattern: Parameters<TriplesService["match"]>[1], limit = 100) => (await triples.match("people", pattern, limit)).map(show);

  it("matches the whole collection when no position is given, and honours the limit", async () => {
    assert.equal((await q({})).length, 6, "all six triples");
    assert.equal((await q({}, 2)).length, 2, "limit 2");
    assert.deepEqual(await q({}, 0), [], "limit 0 returns nothing");
  });

  it("matches by subject, predicate and object alone", async () => {
    assert.deepEqual(await q({ s: iri("http://ex.org/bob") }), ["http://ex.org/bob http://ex.org/knows http://ex.org/carol", 'http://ex.org/bob http://www.w3.org/2000/01/rdf-schema#label "Bob"']);
    assert.deepEqual(await q({ p: iri(KNOWS) }), [
      "http://ex.org/alice http://ex.org/knows http://ex.org/bob",
      "http://ex.org/alice http://ex.org/knows http://ex.org/carol",
      "http://ex.org/bob http://ex.org/knows http://ex.org/carol",
    ]);
    assert.deepEqual(await q({ o: iri("http://ex.org/carol") }), ["http://ex.org/alice http://ex.org/knows http://ex.org/carol", "http://ex.org/bob http://ex.org/knows http://ex.org/carol"]);
    assert.deepEqual(await q({ p: iri(KNOWS) }, 1), ["http://ex.org/alice http://ex.org/knows http://ex.org/bob"], "limit applies to p patterns");
  });

  it("matches by subject and predicate, predicate and object, subject and object, and all three", async () => {
    assert.deepEqual(await q({ s: iri("http://ex.org/alice"), p: iri(KNOWS) }), ["http://ex.org/alice http://ex.org/knows http://ex.org/bob", "http://ex.org/alice http://ex.org/knows http://ex.org/carol"]);
    assert.deepEqual(await q({ p: iri(NAME), o: lit("Bob") }), ['http://ex.org/bob http://www.w3.org/2000/01/rdf-schema#label "Bob"']);
    assert.deepEqual(await q({ s: iri("http://ex.org/bob"), o: iri("http://ex.org/carol") }), ["http://ex.org/bob http://ex.org/knows http://ex.org/carol"]);
    assert.deepEqual(await q({ s: iri("http://ex.org/alice"), p: iri(KNOWS), o: iri("http://ex.org/bob") }), ["http://ex.org/alice http://ex.org/knows http://ex.org/bob"]);
    assert.deepEqual(await q({ s: iri("http://ex.org/alice"), p: iri(KNOWS), o: iri("http://ex.org/nobody") }), [], "no such triple");
  });

  it("matches a term's kind only when the pattern gives one", async () => {
    assert.deepEqual(await q({ o: { value: "Bob", kind: "i" } }), [], "Bob is a literal, not an IRI");
    assert.equal((await q({ o: { value: "Bob" } })).length, 1, "without a kind the value alone matches");
  });

  it("keeps collections apart", async () => {
    assert.deepEqual(await triples.match("other", {}, 10), []);
    assert.ok((await triples.collections()).includes("people"));
  });

  it("returns a triple once even when two sources brought it, and unloading one source keeps the other's", async () => {
    const shared = GRAPH[0]!;
    await triples.add("dup", "core:a", [shared]);
    await triples.add("dup", "core:b", [shared]);
    assert.equal((await triples.match("dup", {}, 10)).length, 1, "one triple, two sources");
    assert.equal(await triples.add("dup", "core:a", [shared]), 0, "adding the same triple from the same source adds nothing");
    assert.equal(await triples.removeSource("core:a", "dup"), 1);
    assert.equal((await triples.match("dup", {}, 10)).length, 1, "core:b still brings it");
    assert.equal(await triples.removeCollection("dup"), 1);
    assert.deepEqual(await triples.match("dup", {}, 10), []);
  });

  it("finds the entities a text names, best first, by IRI and by literal", async () => {
    const found = await triples.findEntities("people", "Who does Alice know, and what about carol?", 10);
    assert.deepEqual(
      found.map((f) => [f.entity.value, f.score, f.words]),
      [
        ["http://ex.org/alice", 1, ["alice"]],
        ["http://ex.org/carol", 1, ["carol"]],
      ],
      "alice (IRI and label) and carol (IRI, label, and as an object IRI)",
    );
    assert.deepEqual(await triples.findEntities("people", "liddell", 10).then((f) => f.map((x) => x.entity.value)), ["http://ex.org/alice"], "a word of a label finds its subject");
    assert.deepEqual(await triples.findEntities("people", "zebra", 10), []);
    await triples.add("people", "core:ru", [t("http://ex.org/ivan", NAME, lit("Иван Петров"))]);
    assert.deepEqual((await triples.findEntities("people", "кто такой иван?", 10)).map((x) => x.entity.value), ["http://ex.org/ivan"], "a Cyrillic name written Capitalized");
    await triples.removeSource("core:ru");
  });

  it("keeps triples across a restart", async () => {
    const store = await temp.reopen();
    const again = new TriplesService(store.triples);
    assert.equal((await again.match("people", { p: iri(KNOWS) }, 10)).length, 3);
    triples = again;
  });
});
