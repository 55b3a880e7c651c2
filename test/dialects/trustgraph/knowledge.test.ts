import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import type { TestClient } from "../../helpers/client.js";
import { ask, assertError, call, connectTg } from "./tg-client.js";

const u = (v: string) => ({ v: `http://ex.org/${v}`, e: true });
const l = (v: string) => ({ v, e: false });
const triple = (s: string, p: string, o: { v: string; e: boolean }) => ({ s: u(s), p: u(p), o });
const BATCH1 = [triple("alice", "knows", u("bob")), triple("alice", "name", l("Alice"))];
const BATCH2 = [triple("bob", "name", l("Bob"))];
const meta = { id: "people", user: "trustgraph", collection: "default" };

describe("TrustGraph knowledge service over the socket", () => {
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

  it("puts a core in batches and lists it for its user only", async () => {
    assert.deepEqual(await ask(client, "knowledge", { operation: "put-kg-core", id: "people", user: "trustgraph", triples: { metadata: meta, triples: BATCH1 } }), {});
    assert.deepEqual(
      await ask(client, "knowledge", {
        operation: "put-kg-core",
        id: "people",
        user: "trustgraph",
        triples: { metadata: meta, triples: BATCH2 },
        "graph-embeddings": { metadata: meta, entities: [{ entity: u("alice"), vectors: [[0.5, 0.25]] }] },
      }),
      {},
    );
    assert.deepEqual(await ask(client, "knowledge", { operation: "list-kg-cores", user: "trustgraph" }), { ids: ["people"] });
    assert.deepEqual(await ask(client, "knowledge", { operation: "list-kg-cores", user: "someone-else" }), { ids: [] });
  });

  it("streams get-kg-core as triples, graph embeddings, then eos, with complete only on the last frame", async () => {
    const frames = await call(client, "knowledge", { operation: "get-kg-core", id: "people", user: "trustgraph", streaming: true });
    assert.deepEqual(
      frames.map((f) => [f.response, f.complete]),
      [
        [{ triples: { metadata: meta, triples: [...BATCH1, ...BATCH2] } }, false],
        [{ "graph-embeddings": { metadata: meta, entities: [{ entity: u("alice"), vectors: [[0.5, 0.25]] }] } }, false],
        [{ eos: true }, true],
      ],
    );
  });

  it("answers a non-streaming get-kg-core with one body that carries everything and eos", async () => {
    const r = await ask(client, "knowledge", { operation: "get-kg-core", id: "people" });
    assert.deepEqual(r, {
      triples: { metadata: meta, triples: [...BATCH1, ...BATCH2] },
      "graph-embeddings": { metadata: meta, entities: [{ entity: u("alice"), vectors: [[0.5, 0.25]] }] },
      eos: true,
    });
  });

  it("answers get-kg-core and list-collections over the REST twins with the socket's bodies", async () => {
    const post = async (path: string, body: unknown) => {
      const res = await fetch(gw.url + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    assert.deepEqual(await post("/api/v1/knowledge", { operation: "get-kg-core", id: "people" }), {
      status: 200,
      body: await ask(client, "knowledge", { operation: "get-kg-core", id: "people" }),
    });
    assert.deepEqual(await post("/api/v1/knowledge", { operation: "get-kg-core", id: "nope" }), {
      status: 404,
      body: { error: { type: "not-found", message: 'knowledge core "nope" not found' } },
    });
    const listed = await post("/api/v1/collection-management", { operation: "list-collections" });
    assert.deepEqual(listed, { status: 200, body: await ask(client, "collection-management", { operation: "list-collections" }) });
  });

  it("loads a core into a collection where triples queries find it, and unloads it (put, load, query round trip)", async () => {
    assert.deepEqual(await ask(client, "knowledge", { operation: "load-kg-core", id: "people", flow: "default", collection: "social" }), {});
    const found = await ask(client, "triples", { s: u("alice"), collection: "social" }, "default");
    assert.deepEqual(found, { response: BATCH1 });
    assert.deepEqual(await ask(client, "triples", { s: u("alice") }, "default"), { response: [] }, "not loaded into default");
    assert.deepEqual(await ask(client, "knowledge", { operation: "unload-kg-core", id: "people", collection: "social" }), {});
    assert.deepEqual(await ask(client, "triples", { collection: "social" }, "default"), { response: [] });
  });

  it("reads underscore keys (graph_embeddings) and writes them on request", async () => {
    const under = await connectTg(gw, { spelling: "underscore" });
    try {
      under.send({ id: "g1", service: "knowledge", request: { operation: "put-kg-core", id: "emb", graph_embeddings: { metadata: { ...meta, id: "emb" }, entities: [{ entity: u("x"), vectors: [[1]] }] } } });
      assert.deepEqual(await under.next((f) => f.id === "g1"), { id: "g1", response: {}, complete: true });
      under.send({ id: "g2", service: "knowledge", request: { operation: "get-kg-core", id: "emb" } });
      const got = await under.next((f) => f.id === "g2");
      assert.deepEqual(got.response.graph_embeddings?.entities, [{ entity: u("x"), vectors: [[1]] }], JSON.stringify(got));
    } finally {
      under.close();
    }
  });

  it("deletes a core; unknown cores and bad input answer clear errors", async () => {
    const err = async (request: Record<string, unknown>, type: string, message: RegExp) => {
      const frames = await call(client, "knowledge", request);
      assertError(frames.at(-1), type, JSON.stringify(request));
      assert.match(frames.at(-1)!.error.message, message);
    };
    assert.deepEqual(await ask(client, "knowledge", { operation: "delete-kg-core", id: "emb" }), {});
    await err({ operation: "get-kg-core", id: "emb" }, "not-found", /knowledge core "emb" not found/);
    await err({ operation: "delete-kg-core", id: "emb" }, "not-found", /not found/);
    await err({ operation: "load-kg-core", id: "missing", collection: "c" }, "not-found", /knowledge core "missing" not found/);
    await err({ operation: "unload-kg-core", id: "missing" }, "not-found", /not found/);
    await err({ operation: "load-kg-core", id: "people", flow: "not-started" }, "not-found", /flow "not-started" is not started/);
    await err({ operation: "get-kg-core" }, "invalid-request", /"id" is required/);
    await err({ operation: "put-kg-core", id: "x" }, "invalid-request", /needs "triples" or "graph-embeddings"/);
    await err({ operation: "put-kg-core", id: "x", triples: { metadata: meta, triples: [{ s: u("a"), p: u("b") }] } }, "invalid-request", /"triples\.triples\[0\]\.o" is required/);
    await err({ operation: "put-kg-core", id: "x", triples: { metadata: meta, triples: [{ s: { t: "t" }, p: u("b"), o: u("c") }] } }, "invalid-request", /quoted triples/);
    await err({ operation: "put-kg-core", id: "x", "graph-embeddings": { metadata: meta, entities: [{ entity: u("a"), vectors: "no" }] } }, "invalid-request", /vectors" must be an array/);
    await err({ operation: "explode" }, "invalid-request", /unknown knowledge operation "explode"/);
    assert.deepEqual(await ask(client, "knowledge", { operation: "list-kg-cores" }), { ids: ["people"] }, "the socket still answers");
  });
});

describe("TrustGraph knowledge across a restart", () => {
  it("keeps cores and loaded triples when the gateway restarts on the same data dir", async () => {
    const first = await startTestGateway();
    const dataDir = first.dataDir;
    let c = await connectTg(first);
    await ask(c, "knowledge", { operation: "put-kg-core", id: "people", triples: { metadata: meta, triples: BATCH1 } });
    await ask(c, "knowledge", { operation: "load-kg-core", id: "people", collection: "kept" });
    c.close();
    await first.server.close();
    const second = await startTestGateway({ dataDir });
    try {
      c = await connectTg(second);
      assert.deepEqual(await ask(c, "knowledge", { operation: "list-kg-cores" }), { ids: ["people"] });
      assert.deepEqual(await ask(c, "triples", { p: u("knows"), collection: "kept" }, "default"), { response: [BATCH1[0]] });
      c.close();
    } finally {
      await second.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
