import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TestClient } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { OPENAI_ERRORS, OpenAITestServer } from "../../helpers/openai-server.js";
import { ask, call, connectTg, framesOf } from "./tg-client.js";

describe("TrustGraph text-completion", () => {
  describe("with an OpenAI-compatible model", () => {
    let llm: OpenAITestServer;
    let gw: TestGateway;
    let client: TestClient;
    before(async () => {
      llm = await OpenAITestServer.start();
      gw = await startTestGateway({ chat: { baseUrl: llm.baseUrl, model: "gpt-test", models: ["gpt-big"] } });
      client = await connectTg(gw);
    });
    after(async () => {
      client.close();
      await gw.close();
      await llm.close();
    });

    it("streams {response, end-of-stream:false} per delta, then {response:'', in-token, out-token, model, end-of-stream:true}", async () => {
      llm.script({ deltas: ["Hel", "lo", "!"], usage: { prompt_tokens: 12, completion_tokens: 3 } });
      const frames = await call(client, "text-completion", { system: "Be brief.", prompt: "Greet me", streaming: true }, "default");
      assert.deepEqual(
        frames.map((f) => [f.response, f.complete]),
        [
          [{ response: "Hel", "end-of-stream": false }, false],
          [{ response: "lo", "end-of-stream": false }, false],
          [{ response: "!", "end-of-stream": false }, false],
          [{ response: "", "in-token": 12, "out-token": 3, model: "gpt-test", "end-of-stream": true }, true],
        ],
      );
      assert.deepEqual(llm.last.body.messages, [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Greet me" },
      ]);
    });

    it("answers one body without streaming", async () => {
      llm.script({ deltas: ["Hel", "lo"], usage: { prompt_tokens: 5, completion_tokens: 2 } });
      const r = await ask(client, "text-completion", { system: "s", prompt: "p" }, "default");
      assert.deepEqual(r, { response: "Hello", "in-token": 5, "out-token": 2, model: "gpt-test", "end-of-stream": true });
    });

    it("writes the real server's underscore keys for a client that asks (?spelling=underscore)", async () => {
      const under = await connectTg(gw, { spelling: "underscore" });
      try {
        llm.script({ deltas: ["A"], usage: { prompt_tokens: 1, completion_tokens: 1 } });
        const frames = await call(under, "text-completion", { system: "", prompt: "x", streaming: true }, "default");
        assert.deepEqual(frames.map((f) => f.response), [
          { response: "A", end_of_stream: false },
          { response: "", in_token: 1, out_token: 1, model: "gpt-test", end_of_stream: true },
        ]);
      } finally {
        under.close();
      }
    });

    it("uses the model a flow's parameters name when it is configured, the default one otherwise", async () => {
      await ask(client, "flow", { operation: "start-flow", "flow-id": "big", "blueprint-name": "default", description: "big model", parameters: { model: "gpt-big" } });
      await ask(client, "flow", { operation: "start-flow", "flow-id": "alien", "blueprint-name": "default", description: "x", parameters: { model: "llama-9000" } });
      const big = await ask(client, "text-completion", { system: "", prompt: "x" }, "big");
      assert.equal(llm.last.body.model, "gpt-big", "the flow's model is asked");
      assert.equal(big.model, "gpt-big", "and reported");
      const alien = await ask(client, "text-completion", { system: "", prompt: "x" }, "alien");
      assert.equal(llm.last.body.model, "gpt-test", "an unconfigured model falls back to the default");
      assert.equal(alien.model, "gpt-test");
    });

    it("cancelling a streaming call aborts the request to the model server", async () => {
      llm.script({ deltas: ["one", "two", "three"], hang: 1 });
      const before = llm.requests.length;
      client.send({ id: "tc-cancel", service: "text-completion", flow: "default", request: { system: "", prompt: "long", streaming: true } });
      const first = await client.next((f) => f.id === "tc-cancel", 5000, "the first delta");
      assert.deepEqual(first.response, { response: "one", "end-of-stream": false });
      assert.equal(llm.requests.length, before + 1);
      client.send({ type: "cancel", id: "tc-cancel" });
      const rest = await framesOf(client, "tc-cancel");
      assert.equal(rest.at(-1)!.complete, true, "the call ends");
      assert.equal(rest.at(-1)!.error?.type, "cancelled", `ends as cancelled: ${JSON.stringify(rest)}`);
      await llm.last.closed;
      assert.equal(llm.last.abortedByClient, true, "the model server sees the request aborted");
    });

    it("turns a model server failure into a clear error frame and keeps the socket open", async () => {
      llm.script({ status: 429, error: OPENAI_ERRORS.rateLimited("gpt-test") });
      const frames = await call(client, "text-completion", { system: "", prompt: "x", streaming: true }, "default");
      assert.equal(frames.length, 1);
      const f = frames[0]!;
      assert.equal(f.complete, true);
      assert.equal(f.error?.type, "error", JSON.stringify(f));
      assert.match(f.error?.message as string, /^text-completion: chat failed: the model server answered 429 \(rate_limit_exceeded\): Rate limit reached/);
      llm.script({ deltas: ["ok"] });
      assert.equal((await ask(client, "text-completion", { system: "", prompt: "again" }, "default")).response, "ok", "the socket still answers");
    });

    it("refuses a request without a prompt, naming the key", async () => {
      const [f] = await call(client, "text-completion", { system: "s" }, "default");
      assert.equal(f!.error?.type, "invalid-request", JSON.stringify(f));
      assert.equal(f!.error?.message, '"prompt" is required (a string)');
    });

    it("is served through the REST twin with the same body", async () => {
      llm.script({ deltas: ["Hi"], usage: { prompt_tokens: 2, completion_tokens: 1 } });
      const res = await gw.api("/api/v1/flow/default/service/text-completion", { body: { system: "s", prompt: "p", streaming: true } });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { response: "Hi", "in-token": 2, "out-token": 1, model: "gpt-test", "end-of-stream": true });
    });
  });

  describe("with the embedded engine", () => {
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

    it("completes with the built-in engine and reports its model", async () => {
      const r = await ask(client, "text-completion", { system: "", prompt: "hello" }, "default");
      assert.match(r.response as string, /built-in engine/);
      assert.equal(r.model, "livegate-embedded");
      assert.equal(r["end-of-stream"], true);
    });

    it("needs a started flow", async () => {
      const [f] = await call(client, "text-completion", { system: "", prompt: "hello" }, "no-such-flow");
      assert.equal(f!.error?.type, "flow-not-found", JSON.stringify(f));
    });
  });
});
