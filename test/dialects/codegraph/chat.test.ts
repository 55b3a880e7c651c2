import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FrameLog } from "../../helpers/streams.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { OpenAITestServer } from "../../helpers/openai-server.js";
import { ask, assertAnswerShape, CHAT, collect, connectAs, NOTIFICATIONS } from "./helpers.js";

const PAYMENTS = {
  title: "Payments service",
  content: "The payments service is deployed on Kubernetes with three replicas. Its database is PostgreSQL 16 with nightly backups.",
};
const SEARCH = { title: "Search service", content: "The search service runs on a single VM. Its database is Elasticsearch." };
const SQLI = {
  title: "Audit report",
  content: "The login handler builds SQL from user input: a SQL injection vulnerability. The report endpoint escapes its parameters.",
};

describe("codegraph chat on the embedded engine", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
    for (const doc of [PAYMENTS, SEARCH, SQLI]) {
      const res = await gw.api("/api/v1/documents", { body: doc });
      assert.equal(res.status, 201, "loading a document");
    }
  });
  after(() => gw.close());

  it("streams chat.scenario, chunks, chat.response and chat.done, all tagged with the request_id", async () => {
    const { client } = await connectAs(gw, CHAT, "alice");
    const frames = await ask(client, "req-1", { query: "Find all SQL injection vulnerabilities", language: "en" });
    assert.ok(frames.every((f) => f.request_id === "req-1"), "every frame of the answer carries the request_id");
    const { answer, response } = assertAnswerShape(frames, "SQL injection query");
    assert.deepEqual(frames[0]!.payload, { scenario_id: "security_audit" }, "the router picks security_audit");
    assert.match(answer, /SQL injection vulnerability/, "the answer comes from the loaded audit report");
    const p = response.payload;
    assert.deepEqual(Object.keys(p).slice(0, 4), ["answer", "scenario_id", "confidence", "session_id"]);
    assert.equal(p.scenario_id, "security_audit");
    assert.ok(typeof p.confidence === "number" && p.confidence > 0.5 && p.confidence <= 1, `confidence ${p.confidence}`);
    assert.match(p.session_id as string, /^sess-/, "a session is created when none is given");
    assert.equal((p.sources as { title: string }[])[0]?.title, "Audit report", "sources name the document used");
    client.close();
  });

  it("answers several queries in flight on one socket, each complete and in order, interleaved", async () => {
    const { client } = await connectAs(gw, CHAT, "alice");
    const log = new FrameLog(client);
    const ids = ["q-a", "q-b", "q-c"];
    const questions = ["How is the payments service deployed?", "Which database does the search service use?", "Find SQL injection"];
    const answers = await Promise.all(ids.map((id, i) => ask(client, id, { query: questions[i] })));
    answers.forEach((frames, i) => assertAnswerShape(frames, ids[i]!));
    const position = (id: string, type: string) => log.frames.findIndex((f) => f.request_id === id && f.type === type);
    assert.ok(
      position("q-b", "chat.chunk") < position("q-a", "chat.done"),
      `q-b should stream while q-a is still in flight; order: ${log.frames.map((f) => `${f.request_id}:${f.type}`).join(" ")}`,
    );
    assert.match(answers[0]!.at(-2)!.payload.answer as string, /Kubernetes/);
    assert.match(answers[1]!.at(-2)!.payload.answer as string, /Elasticsearch/);
    client.close();
  });

  it("answers the next query of a session with the earlier ones as context", async () => {
    const { client } = await connectAs(gw, CHAT, "alice");
    const first = assertAnswerShape(await ask(client, "s1", { query: "How is the payments service deployed?", session_id: "ctx-1" }), "first");
    assert.equal(first.response.payload.session_id, "ctx-1", "the given session_id is kept");
    const followUp = "And which database does it use?";
    const second = assertAnswerShape(await ask(client, "s2", { query: followUp, session_id: "ctx-1" }), "follow-up");
    const sources = second.response.payload.sources as { title: string; snippet: string }[];
    assert.equal(sources[0]?.title, "Payments service", "the follow-up is read with the first question: the payments document ranks first");
    assert.match(sources[0]!.snippet, /PostgreSQL/);
    const alone = assertAnswerShape(await ask(client, "s3", { query: followUp }), "same question without the session");
    assert.notEqual(alone.answer, second.answer, "without the session's context the same question is answered differently");
    const stored = await gw.server.context.store.conversations.messages("ctx-1");
    assert.deepEqual(
      stored.map((m) => m.role),
      ["user", "assistant", "user", "assistant"],
      "both exchanges are stored in the session",
    );
    client.close();
  });

  it("refuses another user's session_id with chat.error, then chat.done", async () => {
    const { client: alice } = await connectAs(gw, CHAT, "alice");
    await ask(alice, "own", { query: "payments deployment", session_id: "alice-private" });
    const { client: mallory } = await connectAs(gw, CHAT, "mallory");
    const frames = await ask(mallory, "steal", { query: "what did alice ask?", session_id: "alice-private" });
    assert.deepEqual(frames.map((f) => f.type), ["chat.error", "chat.done"]);
    assert.equal(frames[0]!.payload.error, "Session not found", "another user's session is reported as missing");
    assert.match(frames[0]!.payload.details as string, /alice-private/);
    const stored = await gw.server.context.store.conversations.messages("alice-private");
    assert.equal(stored.length, 2, "nothing was added to alice's session");
    alice.close();
    mallory.close();
  });

  it("forces a scenario with scenario_id and refuses an unknown one with chat.error", async () => {
    const { client } = await connectAs(gw, CHAT, "alice");
    const forced = assertAnswerShape(await ask(client, "f1", { query: "payments deployment", scenario_id: "architecture" }), "forced");
    assert.deepEqual([forced.response.payload.scenario_id, forced.response.payload.confidence], ["architecture", 1]);
    const frames = await ask(client, "f2", { query: "payments", scenario_id: "astrology" });
    assert.deepEqual(frames.map((f) => f.type), ["chat.error", "chat.done"]);
    assert.equal(frames[0]!.payload.error, "Unknown scenario");
    assert.match(frames[0]!.payload.details as string, /astrology/);
    client.close();
  });

  it("answers in Russian when language is ru", async () => {
    const empty = await startTestGateway();
    try {
      const { client } = await connectAs(empty, CHAT, "alice");
      const { answer } = assertAnswerShape(await ask(client, "ru", { query: "Найди уязвимости", language: "ru" }), "ru");
      assert.match(answer, /встроенный движок/, "the built-in engine explains itself in Russian");
      client.close();
    } finally {
      await empty.close();
    }
  });

  it("answers an empty query with the error Query is required, not a chat stream", async () => {
    const { client } = await connectAs(gw, CHAT, "alice");
    for (const [i, payload] of [{}, { query: "" }, { query: "   " }, { query: null }].entries()) {
      client.send({ type: "chat.query", payload, request_id: `empty-${i}` });
      const err = await client.next((f) => f.request_id === `empty-${i}`);
      assert.deepEqual([err.type, err.payload.error], ["error", "Query is required"], `payload ${JSON.stringify(payload)}`);
    }
    for (const [i, payload] of [{ query: 42 }, { query: "q", language: "fr" }, { query: "q", session_id: 7 }].entries()) {
      client.send({ type: "chat.query", payload, request_id: `bad-${i}` });
      const err = await client.next((f) => f.request_id === `bad-${i}`);
      assert.deepEqual([err.type, err.payload.error], ["error", "Invalid message format"], `payload ${JSON.stringify(payload)}`);
    }
    assert.ok(await client.nothingWithin(100, (f) => f.type.startsWith("chat.")), "no chat stream starts for a refused query");
    client.close();
  });

  it("delivers cpg.update.complete published to broadcast and to codegraph:{user} to chat sockets only", async () => {
    const { client: alice } = await connectAs(gw, CHAT, "alice");
    const { client: bob } = await connectAs(gw, CHAT, "bob");
    const { client: aliceNotes } = await connectAs(gw, NOTIFICATIONS, "alice");
    await gw.publish("broadcast", { project_id: "p1", nodes: 1200 }, "cpg.update.complete");
    for (const c of [alice, bob]) {
      const ev = await c.nextOfType("cpg.update.complete");
      assert.deepEqual(ev.payload, { project_id: "p1", nodes: 1200 }, "the published data is the payload");
      assert.match(ev.timestamp as string, /Z$/);
      assert.equal(ev.request_id, undefined);
    }
    await gw.publish("codegraph:alice", { project_id: "p2" }, "cpg.update.complete");
    assert.deepEqual((await alice.nextOfType("cpg.update.complete")).payload, { project_id: "p2" });
    assert.ok(await bob.nothingWithin(150), "codegraph:alice reaches alice only");
    assert.ok(await aliceNotes.nothingWithin(50), "a notification socket does not show CPG updates");
    await gw.api("/api/v1/notifications", { body: { user_id: "alice", title: "T", message: "M" } });
    await aliceNotes.nextOfType("notification");
    assert.ok(await alice.nothingWithin(100), "a chat socket does not show notifications");
    for (const c of [alice, bob, aliceNotes]) c.close();
  });
});

describe("codegraph chat on an OpenAI-compatible provider", () => {
  let llm: OpenAITestServer;
  let gw: TestGateway;
  before(async () => {
    llm = await OpenAITestServer.start();
    gw = await startTestGateway({ chat: { baseUrl: llm.baseUrl, apiKey: "sk-test", model: "gpt-test", timeoutMs: 5000 } });
  });
  after(async () => {
    await gw.close();
    await llm.close();
  });

  it("streams the provider's deltas as chunks", async () => {
    llm.script({ deltas: ["Found ", "3 ", "issues."] });
    const { client } = await connectAs(gw, CHAT, "alice");
    const frames = await ask(client, "o1", { query: "Find buffer overflows" });
    const { answer } = assertAnswerShape(frames, "openai stream");
    assert.equal(answer, "Found 3 issues.");
    assert.deepEqual(
      frames.filter((f) => f.type === "chat.chunk").map((f) => f.payload.content),
      ["Found ", "3 ", "issues.", ""],
      "one chunk per provider delta, then the final empty chunk",
    );
    client.close();
  });

  it("reports a provider failure as chat.error, then chat.done", async () => {
    llm.script({ status: 500 });
    const { client } = await connectAs(gw, CHAT, "alice");
    const frames = await ask(client, "o2", { query: "Find buffer overflows" }, 8000);
    assert.deepEqual(frames.map((f) => f.type).slice(-2), ["chat.error", "chat.done"]);
    const err = frames.at(-2)!;
    assert.equal(err.payload.error, "Chat failed");
    assert.match(err.payload.details as string, /500/, "details name the provider's failure");
    client.close();
  });

  it("cancels the provider request when the socket closes mid-answer", async () => {
    llm.script({ deltas: ["one ", "two ", "three"], hang: 2 });
    const { client } = await connectAs(gw, CHAT, "alice");
    const before = llm.requests.length;
    client.send({ type: "chat.query", payload: { query: "stream forever" }, request_id: "c1" });
    await client.next((f) => f.type === "chat.chunk" && f.payload.content === "two ", 3000, "the second chunk");
    client.close();
    const req = llm.requests[before]!;
    await Promise.race([req.closed, new Promise((_, reject) => setTimeout(() => reject(new Error("the provider request was not cancelled within 2 s")), 2000))]);
    assert.ok(req.abortedByClient, "livegate aborted the provider request");
  });

  it("refuses a query past the in-flight limit with chat.error and keeps the others running", async () => {
    llm.setDefault({ deltas: ["slow"], hang: 1 });
    try {
      const { client } = await connectAs(gw, CHAT, "alice");
      for (let i = 0; i < 16; i++) client.send({ type: "chat.query", payload: { query: `q${i}` }, request_id: `in-${i}` });
      await Promise.all(Array.from({ length: 16 }, (_, i) => client.next((f) => f.request_id === `in-${i}` && f.type === "chat.chunk", 5000, `a chunk of in-${i}`)));
      const frames = await ask(client, "one-too-many", { query: "q16" });
      assert.deepEqual(frames.map((f) => f.type), ["chat.error", "chat.done"]);
      assert.equal(frames[0]!.payload.error, "Too many queries in flight");
      client.close();
    } finally {
      llm.setDefault({});
    }
  });

  it("keeps answering pings while a query streams", async () => {
    llm.script({ deltas: ["a", "b"], delayMs: 200 });
    const { client } = await connectAs(gw, CHAT, "alice");
    client.send({ type: "chat.query", payload: { query: "slow one" }, request_id: "slow" });
    await client.next((f) => f.request_id === "slow" && f.type === "chat.scenario");
    client.send({ type: "ping", request_id: "p" });
    await client.next((f) => f.request_id === "p");
    const rest = await collect(client, "slow", "chat.done");
    assert.ok(rest.some((f) => f.type === "chat.response"), "the slow query still completes");
    client.close();
  });
});
