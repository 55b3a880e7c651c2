import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { resolveOptions } from "../../../../src/core/options.js";
import { EMBEDDED_MODEL } from "../../../../src/engines/chat/embedded.js";
import { createChatProvider } from "../../../../src/engines/chat/index.js";
import type { ChatEvent } from "../../../../src/services/chat/service.js";
import { startTestGateway, type TestGateway } from "../../../helpers/gateway.js";
import { OpenAITestServer } from "../../../helpers/openai-server.js";

const noDocuments = { count: 0, search: () => [] };

describe("choosing the chat provider from the options", () => {
  it("uses the embedded engine when no base URL is configured", async () => {
    const p = await createChatProvider(resolveOptions({}).chat, noDocuments);
    assert.equal(p.name, "embedded", "provider");
    assert.equal(p.defaultModel, EMBEDDED_MODEL, "default model");
  });

  it("uses the OpenAI-compatible provider with the configured model when a base URL is set", async () => {
    const p = await createChatProvider(resolveOptions({ chat: { baseUrl: "http://127.0.0.1:9/v1", model: "llama3" } }).chat, noDocuments);
    assert.equal(p.name, "openai", "provider");
    assert.equal(p.defaultModel, "llama3", "default model");
  });

  it("defaults the OpenAI-compatible model to gpt-4o-mini", async () => {
    const p = await createChatProvider(resolveOptions({ chat: { baseUrl: "http://127.0.0.1:9/v1" } }).chat, noDocuments);
    assert.equal(p.defaultModel, "gpt-4o-mini", "default model");
  });
});

describe("a gateway configured with an OpenAI-compatible server", () => {
  let server: OpenAITestServer;
  let gw: TestGateway;

  before(async () => {
    server = await OpenAITestServer.start();
    gw = await startTestGateway({ chat: { baseUrl: server.baseUrl, apiKey: "sk-gateway-test", model: "served-model", timeoutMs: 2000 } });
  });
  after(async () => {
    await gw.close();
    await server.close();
  });

  it("answers chat through the server with the configured key and model", async () => {
    server.script({ deltas: ["From ", "the ", "server."] });
    let answer = "";
    let done: Extract<ChatEvent, { type: "done" }> | undefined;
    for await (const ev of gw.server.context.chat.stream({ user: "alice", query: "hello?" })) {
      if (ev.type === "delta") answer += ev.text;
      if (ev.type === "done") done = ev;
    }
    assert.equal(gw.server.context.chat.providerName, "openai", "provider");
    assert.equal(answer, "From the server.", "answer");
    assert.equal(done?.model, "served-model", "model");
    assert.equal(server.last.headers.authorization, "Bearer sk-gateway-test", "API key");
    assert.equal(server.last.body.model, "served-model", "model sent");
  });
});
