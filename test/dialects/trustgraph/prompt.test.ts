import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TestClient } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { OpenAITestServer } from "../../helpers/openai-server.js";
import { ask, call, connectTg } from "./tg-client.js";

describe("TrustGraph prompt: templates from config, filled and completed", () => {
  let llm: OpenAITestServer;
  let gw: TestGateway;
  let client: TestClient;
  before(async () => {
    llm = await OpenAITestServer.start();
    gw = await startTestGateway({ chat: { baseUrl: llm.baseUrl, model: "gpt-test" } });
    client = await connectTg(gw);
    // Stored exactly as TrustGraph stores them: config type "prompt", JSON values.
    await ask(client, "config", {
      operation: "put",
      values: [
        { type: "prompt", key: "system", value: JSON.stringify("You answer questions about {{topic}}.") },
        { type: "prompt", key: "template-index", value: JSON.stringify(["question", "extract"]) },
        { type: "prompt", key: "template.question", value: JSON.stringify({ prompt: "Question: {{question}}\nContext:{% for d in docs %} [{{d.title}}]{% endfor %}", "response-type": "text" }) },
        { type: "prompt", key: "template.extract", value: JSON.stringify({ prompt: "List the entities in: {{text}}", "response-type": "json" }) },
      ],
    });
  });
  after(async () => {
    client.close();
    await gw.close();
    await llm.close();
  });

  it("fills the template and the system prompt with variables and streams {text, end-of-stream}", async () => {
    llm.script({ deltas: ["Paris", "."], usage: { prompt_tokens: 9, completion_tokens: 2 } });
    const frames = await call(
      client,
      "prompt",
      { id: "question", variables: { question: "Capital of France?", topic: "geography", docs: [{ title: "Atlas" }, { title: "Gazetteer" }] }, streaming: true },
      "default",
    );
    assert.deepEqual(llm.last.body.messages, [
      { role: "system", content: "You answer questions about geography." },
      { role: "user", content: "Question: Capital of France?\nContext: [Atlas] [Gazetteer]" },
    ]);
    assert.deepEqual(
      frames.map((f) => [f.response, f.complete]),
      [
        [{ text: "Paris", "end-of-stream": false }, false],
        [{ text: ".", "end-of-stream": false }, false],
        [{ text: "", "in-token": 9, "out-token": 2, model: "gpt-test", "end-of-stream": true }, true],
      ],
    );
  });

  it("takes the real translator's terms (JSON-encoded values) and answers one {text} without streaming", async () => {
    llm.script({ deltas: ["Berlin"], usage: { prompt_tokens: 4, completion_tokens: 1 } });
    const r = await ask(client, "prompt", { id: "question", terms: { question: JSON.stringify("Capital of Germany?"), docs: JSON.stringify([]), topic: '"maps"' } }, "default");
    assert.deepEqual(r, { text: "Berlin", "in-token": 4, "out-token": 1, model: "gpt-test", "end-of-stream": true });
    assert.equal(llm.last.body.messages[1]!.content, "Question: Capital of Germany?\nContext:");
    assert.equal(llm.last.body.messages[0]!.content, "You answer questions about maps.");
  });

  it("answers in the real server's underscore keys when asked (?spelling=underscore)", async () => {
    const under = await connectTg(gw, { spelling: "underscore" });
    try {
      llm.script({ deltas: ["Rome"], usage: { prompt_tokens: 3, completion_tokens: 1 } });
      const frames = await call(under, "prompt", { id: "question", variables: { question: "Capital of Italy?" }, streaming: true }, "default");
      assert.deepEqual(frames.map((f) => f.response), [
        { text: "Rome", end_of_stream: false },
        { text: "", in_token: 3, out_token: 1, model: "gpt-test", end_of_stream: true },
      ]);
    } finally {
      under.close();
    }
  });

  it("parses a json template's answer and sends it as {object} (a JSON string, as the real service does), also when streaming", async () => {
    llm.script({ deltas: ["```json\n", '[{"name": "Ada"}]', "\n```"] });
    const frames = await call(client, "prompt", { id: "extract", variables: { text: "Ada wrote programs." }, streaming: true }, "default");
    assert.equal(frames.length, 1, `a JSON answer is one frame: ${JSON.stringify(frames)}`);
    assert.equal(frames[0]!.complete, true);
    assert.equal(frames[0]!.response.object, '[{"name":"Ada"}]');
    assert.equal(frames[0]!.response["end-of-stream"], true);
  });

  it("checks a json answer against the template's schema, as the real service does", async () => {
    const schema = { type: "array", items: { type: "object", properties: { name: { type: "string" } }, required: ["name"] } };
    await ask(client, "config", { operation: "put", values: [{ type: "prompt", key: "template.people", value: JSON.stringify({ prompt: "People in {{text}}", "response-type": "json", schema }) }] });
    llm.script({ deltas: ['[{"name": "Ada"}]'] });
    assert.equal((await ask(client, "prompt", { id: "people", variables: { text: "x" } }, "default")).object, '[{"name":"Ada"}]');
    llm.script({ deltas: ['[{"who": "Ada"}]'] });
    const [f] = await call(client, "prompt", { id: "people", variables: { text: "x" } }, "default");
    assert.equal(f!.error?.type, "error", JSON.stringify(f));
    assert.equal(f!.error?.message, `prompt "people": the model's answer does not match the template's schema: 0.name: Invalid input: expected string, received undefined`);
  });

  it("says when a json template's answer is not JSON", async () => {
    llm.script({ deltas: ["I cannot do that."] });
    const [f] = await call(client, "prompt", { id: "extract", variables: { text: "x" } }, "default");
    assert.equal(f!.error?.type, "error", JSON.stringify(f));
    assert.equal(f!.error?.message, `prompt "extract": the model's answer is not JSON`);
  });

  it("answers not-found for an unknown template, saying where templates are stored", async () => {
    const before = llm.requests.length;
    const [f] = await call(client, "prompt", { id: "nope", variables: {} }, "default");
    assert.equal(f!.complete, true);
    assert.equal(f!.error?.type, "not-found", JSON.stringify(f));
    assert.equal(f!.error?.message, 'prompt template "nope" not found: store it with the config service as type "prompt", key "template.nope"');
    assert.equal(llm.requests.length, before, "no model request for an unknown template");
  });

  it("refuses a malformed template or request with invalid-request", async () => {
    await ask(client, "config", { operation: "put", values: [{ type: "prompt", key: "template.broken", value: JSON.stringify({ prompt: "{% for x in xs %}" }) }] });
    const [a] = await call(client, "prompt", { id: "broken", variables: {} }, "default");
    assert.equal(a!.error?.type, "invalid-request", JSON.stringify(a));
    assert.match(a!.error?.message as string, /is not closed/);
    const [b] = await call(client, "prompt", { id: "question", terms: { question: "not json" } }, "default");
    assert.equal(b!.error?.type, "invalid-request", JSON.stringify(b));
    assert.match(b!.error?.message as string, /"terms.question" is not JSON/);
  });

  it("uses a template changed through config at once", async () => {
    await ask(client, "config", { operation: "put", values: [{ type: "prompt", key: "template.question", value: JSON.stringify({ prompt: "Q2: {{question}}" }) }] });
    llm.script({ deltas: ["ok"] });
    await ask(client, "prompt", { id: "question", variables: { question: "why" } }, "default");
    assert.equal(llm.last.body.messages[1]!.content, "Q2: why");
  });
});
