import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TripleRecord } from "../../../src/services/triples.js";
import type { TestClient } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { OpenAITestServer } from "../../helpers/openai-server.js";
import { ask, call, connectTg } from "./tg-client.js";

const EX = "http://example.org/";
const LABEL = "http://www.w3.org/2000/01/rdf-schema#label";
const iri = (local: string) => ({ value: local.startsWith("http") ? local : EX + local, kind: "i" as const });
const lit = (value: string) => ({ value, kind: "l" as const });
const t = (s: string, p: string, o: { value: string; kind: "i" | "l" }): TripleRecord => ({ s: iri(s), p: iri(p), o });

/** A small graph: Alice knows Bob, Bob works for Acme in Springfield; Carol and Dave are unrelated. */
const GRAPH: TripleRecord[] = [
  t("alice", LABEL, lit("Alice Smith")),
  t("alice", "knows", iri("bob")),
  t("bob", LABEL, lit("Bob Jones")),
  t("bob", "worksFor", iri("acme")),
  t("acme", LABEL, lit("Acme Corp")),
  t("acme", "locatedIn", lit("Springfield")),
  t("carol", "knows", iri("dave")),
];

describe("TrustGraph graph-rag", () => {
  describe("with the embedded engine", () => {
    let gw: TestGateway;
    let client: TestClient;
    before(async () => {
      gw = await startTestGateway();
      client = await connectTg(gw);
      await gw.server.context.triples.add("default", "test:graph", GRAPH);
    });
    after(async () => {
      client.close();
      await gw.close();
    });

    it("answers from the facts about the entities the query names, and lists them as sources", async () => {
      const frames = await call(client, "graph-rag", { query: "Who does Alice know?", streaming: true }, "default");
      const text = frames.slice(0, -1).map((f) => f.response.response as string).join("");
      assert.equal(text, 'Here is what the sources say (built-in engine, extractive answer):\nFrom "Alice Smith": Alice Smith knows Bob Jones.');
      const last = frames.at(-1)!;
      assert.equal(last.complete, true);
      assert.equal(last.response["end-of-stream"], true);
      assert.deepEqual(last.response.sources, [{ uri: `${EX}alice`, title: "Alice Smith" }]);
      for (const f of frames.slice(0, -1)) assert.equal(f.response["end-of-stream"], false);
    });

    it("answers one body without streaming", async () => {
      const r = await ask(client, "graph-rag", { query: "Where is Acme located?" }, "default");
      assert.match(r.response as string, /Acme Corp located in Springfield\./, r.response as string);
      assert.deepEqual((r.sources as { uri: string }[])[0], { uri: `${EX}acme`, title: "Acme Corp" });
    });

    it("answers in the real server's underscore keys when asked, and reads entity_limit", async () => {
      const under = await connectTg(gw, { spelling: "underscore" });
      try {
        const frames = await call(under, "graph-rag", { query: "Who does Alice know?", entity_limit: 1, streaming: true }, "default");
        for (const f of frames.slice(0, -1)) assert.equal(f.response.end_of_stream, false, JSON.stringify(f));
        const last = frames.at(-1)!.response;
        assert.equal(last.end_of_stream, true);
        assert.equal(typeof last.in_token, "number");
        assert.equal(last["end-of-stream"], undefined);
      } finally {
        under.close();
      }
    });

    it("answers plainly when the collection has no triples", async () => {
      const r = await ask(client, "graph-rag", { query: "Alice", collection: "elsewhere" }, "default");
      assert.equal(
        r.response,
        'There is no knowledge graph in collection "elsewhere" to answer from yet. Load triples with the knowledge service\'s put-kg-core and load-kg-core operations, then ask again.',
      );
      assert.deepEqual(r.sources, []);
    });

    it("refuses out-of-range limits with invalid-request", async () => {
      const [f] = await call(client, "graph-rag", { query: "Alice", "max-path-length": 0 }, "default");
      assert.equal(f!.error?.type, "invalid-request");
      assert.equal(f!.error?.message, '"max-path-length" must be an integer from 1 to 5');
    });
  });

  describe("with an OpenAI-compatible model", () => {
    let llm: OpenAITestServer;
    let gw: TestGateway;
    let client: TestClient;
    before(async () => {
      llm = await OpenAITestServer.start();
      gw = await startTestGateway({ chat: { baseUrl: llm.baseUrl, model: "gpt-test" } });
      client = await connectTg(gw);
      await gw.server.context.triples.add("default", "test:graph", GRAPH);
    });
    after(async () => {
      client.close();
      await gw.close();
      await llm.close();
    });

    const passagesSent = () => String(llm.last.body.messages[0]!.content);

    it("walks max-path-length steps from the named entities and gives the model the facts as passages", async () => {
      llm.script({ deltas: ["Bob, who works for Acme."] });
      const r = await ask(client, "graph-rag", { query: "Who does Alice know?" }, "default");
      assert.equal(r.response, "Bob, who works for Acme.");
      const sent = passagesSent();
      assert.match(sent, /"Alice Smith" \(id: http:\/\/example\.org\/alice\)\nAlice Smith knows Bob Jones\./, sent);
      assert.match(sent, /"Bob Jones" \(id: http:\/\/example\.org\/bob\)\nBob Jones works for Acme Corp\./, sent);
      assert.doesNotMatch(sent, /Springfield/, "three steps away: beyond the default max-path-length 2");
      assert.doesNotMatch(sent, /carol|dave/i, "unrelated entities are not in the subgraph");
      assert.deepEqual(r.sources, [
        { uri: `${EX}alice`, title: "Alice Smith" },
        { uri: `${EX}bob`, title: "Bob Jones" },
      ]);
    });

    it("stops after one step with max-path-length 1 (underscore spelling accepted)", async () => {
      llm.script({ deltas: ["Bob."] });
      await ask(client, "graph-rag", { query: "Who does Alice know?", max_path_length: 1 }, "default");
      const sent = passagesSent();
      assert.match(sent, /Alice Smith knows Bob Jones\./);
      assert.doesNotMatch(sent, /works for/, sent);
    });

    it("keeps the subgraph within max-subgraph-size triples", async () => {
      llm.script({ deltas: ["x"] });
      await ask(client, "graph-rag", { query: "Who does Alice know?", "max-subgraph-size": 2 }, "default");
      const facts = passagesSent().split("\n").filter((l) => l.endsWith(".") && !l.startsWith("Answer"));
      assert.deepEqual(facts, ["Alice Smith knows Bob Jones."], "two triples: Alice's label and Alice knows Bob");
    });
  });
});
