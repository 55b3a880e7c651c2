import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Frame } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { OpenAITestServer } from "../../helpers/openai-server.js";
import { ask, assertError, connectTg, framesOf } from "./tg-client.js";

/** A text-completion request that the model server never answers (it holds a mux slot until cancelled). */
const hanging = (id: string) => ({ id, service: "text-completion", flow: "default", request: { system: "", prompt: `hold ${id}`, streaming: true } });

describe("TrustGraph multiplexing", () => {
  let llm: OpenAITestServer;
  let gw: TestGateway;
  before(async () => {
    llm = await OpenAITestServer.start();
    gw = await startTestGateway({ chat: { baseUrl: llm.baseUrl, model: "gpt-test" } });
  });
  after(async () => {
    await gw.close();
    await llm.close();
  });

  it("serves the seed's three concurrent requests on one socket; replies match by id and a slow stream does not hold up config", async () => {
    const client = await connectTg(gw);
    await ask(client, "flow", { operation: "start-flow", "flow-id": "f1", "blueprint-name": "default" });
    await ask(client, "flow", { operation: "start-flow", "flow-id": "f2", "blueprint-name": "default" });
    llm.setDefault({ deltas: ["Quantum ", "computing ", "uses ", "qubits."], delayMs: 60 });
    // The seed's example requests; the two streaming ones are sent first, config last.
    client.send({ id: "req-2", service: "agent", flow: "f1", request: { question: "What is quantum computing?", streaming: true } });
    client.send({ id: "req-3", service: "document-rag", flow: "f2", request: { query: "quantum", streaming: true } });
    client.send({ id: "req-1", service: "config", request: { operation: "list", type: "flow" } });
    const arrival: string[] = [];
    const byId: Record<string, Frame[]> = { "req-1": [], "req-2": [], "req-3": [] };
    while (Object.values(byId).some((fs) => !fs.at(-1)?.complete)) {
      const f = await client.next(() => true, 5000, "the next frame of req-1..3");
      assert.ok(f.id in byId, `a frame for an id that was asked: ${JSON.stringify(f)}`);
      assert.equal(typeof f.complete, "boolean", `complete on every frame: ${JSON.stringify(f)}`);
      assert.ok(!byId[f.id as string]!.at(-1)?.complete, `nothing after the final frame of ${f.id}`);
      byId[f.id as string]!.push(f);
      if (f.complete) arrival.push(f.id as string);
    }
    assert.equal(arrival[0], "req-1", `config, sent last, finishes first: ${arrival.join(", ")}`);
    assert.deepEqual(byId["req-1"]![0]!.response.directory, ["default", "f1", "f2"]);
    for (const id of ["req-2", "req-3"]) {
      const fs = byId[id]!;
      assert.ok(fs.length > 1, `${id} streamed several frames: ${JSON.stringify(fs)}`);
      assert.ok(fs.every((f) => f.error === undefined), `${id} succeeded: ${JSON.stringify(fs)}`);
      assert.deepEqual(fs.map((f) => f.complete), [...fs.slice(1).map(() => false), true], `${id}: only the last frame is complete`);
    }
    llm.setDefault({});
    client.close();
  });

  it("runs at most 15 requests per socket: the 16th waits until one ends, and a config request waits behind it", async () => {
    llm.setDefault({ hang: "headers" });
    const base = llm.requests.length;
    const client = await connectTg(gw);
    for (let i = 1; i <= 16; i++) client.send(hanging(`h${i}`));
    await llm.waitForRequests(base + 15);
    await assert.rejects(llm.waitForRequests(base + 16, 300), "the 16th request does not reach the model while 15 run");
    client.send({ id: "cfg", service: "config", request: { operation: "config" } });
    assert.ok(await client.nothingWithin(200, (f) => f.id === "cfg"), "config waits its turn behind the 16th");
    client.send({ type: "cancel", id: "h3" });
    assertError(await client.next((f) => f.id === "h3"), "cancelled", "the cancelled request's final frame");
    await llm.waitForRequests(base + 16);
    client.send({ type: "cancel", id: "h5" });
    const cfg = await client.next((f) => f.id === "cfg");
    assert.equal(cfg.complete, true);
    assert.equal(typeof cfg.response.version, "number", `config answered once a slot was free: ${JSON.stringify(cfg)}`);
    client.close();
    await Promise.all(llm.requests.slice(base).map((r) => r.closed));
    llm.setDefault({});
  });

  it("aborts the model call of a cancelled running request, sends nothing more for it, and frees its id", async () => {
    llm.setDefault({ hang: 1, deltas: ["first", "never"] });
    const base = llm.requests.length;
    const client = await connectTg(gw);
    client.send(hanging("c1"));
    const first = await client.next((f) => f.id === "c1");
    assert.deepEqual([first.response, first.complete], [{ response: "first", "end-of-stream": false }, false]);
    client.send({ type: "cancel", id: "c1" });
    assert.deepEqual(await client.next((f) => f.id === "c1"), { id: "c1", error: { type: "cancelled", message: "request cancelled" }, complete: true });
    await llm.requests[base]!.closed;
    assert.equal(llm.requests[base]!.abortedByClient, true, "the model request was aborted");
    assert.ok(await client.nothingWithin(150, (f) => f.id === "c1"), "nothing after the cancelled frame");
    client.send({ type: "cancel", id: "c1" });
    client.send({ type: "cancel", id: "never-sent" });
    client.send({ id: "c1", service: "config", request: { operation: "list", type: "flow" } });
    const again = await framesOf(client, "c1");
    assert.equal(again.length, 1, `the id is free again and cancels of closed ids are ignored: ${JSON.stringify(again)}`);
    client.close();
    llm.setDefault({});
  });

  it("cancels a queued request before it starts, refuses a reused id and a full queue, and takes a resent request as a retry", async () => {
    const small = await startTestGateway({ chat: { baseUrl: llm.baseUrl, model: "gpt-test" }, trustgraph: { maxInFlight: 1, maxQueued: 2 } });
    try {
      llm.setDefault({ hang: "headers" });
      const base = llm.requests.length;
      const client = await connectTg(small);
      client.send(hanging("q1"));
      await llm.waitForRequests(base + 1);
      client.send(hanging("q2"));
      client.send(hanging("q3"));
      client.send(hanging("q4"));
      const full = await client.next((f) => f.id === "q4");
      assertError(full, "too-many-requests", "beyond the queue bound");
      client.send({ ...hanging("q1"), request: { prompt: "another request under q1" } });
      const dup = await client.next((f) => f.id === "q1");
      assertError(dup, "gateway-error", "another request under an open id");
      assert.match(dup.error.message as string, /already in flight/);
      // The same frame again is a retry (TrustGraph's TypeScript client resends after its timeout): no answer of its own.
      client.send(hanging("q1"));
      assert.ok(await client.nothingWithin(200, (f) => f.id === "q1"), "a retry starts nothing and is not refused");
      assert.equal(llm.requests.length, base + 1, "the retry did not reach the model");
      client.send({ type: "cancel", id: "q2" });
      assertError(await client.next((f) => f.id === "q2"), "cancelled", "a queued request cancelled");
      client.send({ type: "cancel", id: "q1" });
      assertError(await client.next((f) => f.id === "q1"), "cancelled", "the running request cancelled");
      await llm.waitForRequests(base + 2);
      assert.match(JSON.stringify(llm.requests[base + 1]!.body.messages), /hold q3/, "q3 ran next; q2 never reached the model");
      client.close();
      await Promise.all(llm.requests.slice(base).map((r) => r.closed));
    } finally {
      llm.setDefault({});
      await small.close();
    }
  });

  it("aborts every request in flight when the socket closes", async () => {
    llm.setDefault({ hang: "headers" });
    const base = llm.requests.length;
    const client = await connectTg(gw);
    for (const id of ["x1", "x2", "x3"]) client.send(hanging(id));
    await llm.waitForRequests(base + 3);
    client.close();
    await Promise.all(llm.requests.slice(base).map((r) => r.closed));
    assert.ok(llm.requests.slice(base).every((r) => r.abortedByClient), "each model request was aborted");
    llm.setDefault({});
  });

  it("answers a flow-hosted service without a flow or with one not started, and keeps serving", async () => {
    const client = await connectTg(gw);
    client.send({ id: "nf", service: "text-completion", request: { prompt: "x" } });
    const noFlow = await client.next((f) => f.id === "nf");
    assertError(noFlow, "gateway-error", "no flow for a flow service");
    client.send({ id: "gone", service: "text-completion", flow: "no-such-flow", request: { prompt: "x" } });
    const gone = await client.next((f) => f.id === "gone");
    assert.deepEqual(gone, {
      id: "gone",
      error: { type: "flow-not-found", message: "Flow not found" },
      response: { error: { type: "flow-not-found", message: "Flow not found" } },
      complete: true,
    });
    const rest = await fetch(`${gw.url}/api/v1/flow/no-such-flow/service/text-completion`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt: "x" }),
    });
    assert.deepEqual([rest.status, await rest.json()], [404, { error: { type: "flow-not-found", message: "Flow not found" } }]);
    assert.ok((await ask(client, "config", { operation: "list", type: "flow" })).directory);
    client.close();
  });

  it("answers a frame over the rate limit with rate-limited and its id", async () => {
    const strict = await startTestGateway({ limits: { messagesPerSecond: 1, messageBurst: 2, rateLimitStrikes: 100 } });
    try {
      const client = await connectTg(strict);
      for (const id of ["a", "b", "c"]) client.send({ id, service: "config", request: { operation: "config" } });
      const c = await client.next((f) => f.id === "c");
      assertError(c, "rate-limited", "the third frame in a burst of 2");
      client.close();
    } finally {
      await strict.close();
    }
  });
});
