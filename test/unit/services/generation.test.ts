import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GatewayError } from "../../../src/core/errors.js";
import { resolveOptions } from "../../../src/core/options.js";
import { EmbeddedProvider } from "../../../src/engines/chat/embedded.js";
import { EmbeddingsError } from "../../../src/engines/chat/embeddings.js";
import { OpenAIProvider } from "../../../src/engines/chat/openai.js";
import { ChatGeneration, EMBEDDINGS_NOT_CONFIGURED, type GenerationEvent } from "../../../src/services/chat/generation.js";
import { DocumentService } from "../../../src/services/documents.js";
import { OpenAITestServer, embeddingOf } from "../../helpers/openai-server.js";
import { openTempStore, type TempStore } from "../../helpers/temp-store.js";

async function drain(events: AsyncIterable<GenerationEvent>): Promise<GenerationEvent[]> {
  const out: GenerationEvent[] = [];
  for await (const ev of events) out.push(ev);
  return out;
}

const chatOptions = (chat: Record<string, unknown>) => resolveOptions({ chat }).chat;

describe("ChatGeneration: the chat provider without sessions", () => {
  let server: OpenAITestServer;
  let temp: TempStore;
  before(async () => {
    server = await OpenAITestServer.start();
    temp = await openTempStore();
  });
  after(() => Promise.all([server.close(), temp.close()]));

  const openai = (extra: Record<string, unknown> = {}) => {
    const options = chatOptions({ baseUrl: server.baseUrl, model: "gpt-test", models: ["gpt-big"], ...extra });
    return new ChatGeneration(new OpenAIProvider({ baseUrl: server.baseUrl, model: "gpt-test", timeoutMs: 5000 }), options);
  };

  it("completes system + prompt exactly as given, streaming deltas and one done with the whole text and usage", async () => {
    server.script({ deltas: ["Hel", "lo"], usage: { prompt_tokens: 7, completion_tokens: 2 } });
    const events = await drain(openai().complete({ system: "Be terse.", prompt: "Say hello", model: "gpt-big" }));
    assert.deepEqual(events, [
      { type: "delta", text: "Hel" },
      { type: "delta", text: "lo" },
      { type: "done", text: "Hello", usage: { promptTokens: 7, completionTokens: 2 }, model: "gpt-big", finishReason: "stop" },
    ]);
    assert.deepEqual(server.last.body.messages, [
      { role: "system", content: "Be terse." },
      { role: "user", content: "Say hello" },
    ]);
    assert.equal(server.last.body.model, "gpt-big");
  });

  it("refuses a model that is not configured before asking the provider", async () => {
    const before = server.requests.length;
    await assert.rejects(drain(openai().complete({ prompt: "x", model: "nope" })), (err: unknown) => {
      assert.ok(err instanceof GatewayError && err.code === "LG_ERR_MODEL_UNKNOWN", String(err));
      assert.match(err.message, /unknown model "nope"; configured: gpt-test, gpt-big/);
      return true;
    });
    assert.equal(server.requests.length, before, "the provider is not asked");
  });

  it("reports provider failures as LG_ERR_CHAT_FAILED with the provider's explanation", async () => {
    server.script({ status: 500 });
    await assert.rejects(drain(openai().complete({ prompt: "x" })), (err: unknown) => {
      assert.ok(err instanceof GatewayError && err.code === "LG_ERR_CHAT_FAILED", String(err));
      assert.match(err.message, /the model server answered 500/);
      return true;
    });
  });

  it("answers from passages with the embedded engine: sources first, then the extractive answer", async () => {
    const gen = new ChatGeneration(new EmbeddedProvider(new DocumentService(temp.store.documents)), chatOptions({}));
    const events = await drain(
      gen.answer({ question: "What colour is the sky?", passages: [{ id: "sky", title: "Sky facts", text: "The sky is blue on a clear day." }] }),
    );
    assert.deepEqual(events[0], { type: "sources", sources: [{ id: "sky", title: "Sky facts", snippet: "The sky is blue on a clear day.", score: 1 }] });
    const done = events.at(-1);
    assert.ok(done?.type === "done");
    assert.equal(done.text, 'Here is what the sources say (built-in engine, extractive answer):\nFrom "Sky facts": The sky is blue on a clear day.');
    assert.equal(done.model, "livegate-embedded");
  });

  describe("embeddings", () => {
    it("without a model: not-configured, naming the settings to set", async () => {
      await assert.rejects(openai().embed(["x"]), (err: unknown) => {
        assert.ok(err instanceof EmbeddingsError && err.reason === "not-configured", String(err));
        assert.equal(err.message, EMBEDDINGS_NOT_CONFIGURED);
        assert.match(err.message, /LIVEGATE_EMBEDDINGS_MODEL/);
        return true;
      });
      assert.equal(openai().embeddingsConfigured, false);
    });

    it("with a model but no server at all: not-configured, naming the base URL settings", async () => {
      const gen = new ChatGeneration(new EmbeddedProvider(new DocumentService(temp.store.documents)), chatOptions({ embeddingsModel: "e" }));
      await assert.rejects(gen.embed(["x"]), /LIVEGATE_EMBEDDINGS_MODEL is set but no server is: set LIVEGATE_EMBEDDINGS_BASE_URL \(--embeddings-base-url\) or LIVEGATE_LLM_BASE_URL/);
    });

    it("uses the LLM's base URL and key when no embeddings server of its own is set", async () => {
      const gen = openai({ embeddingsModel: "text-embedding-test", apiKey: "llm-key" });
      assert.equal(gen.embeddingsConfigured, true);
      const r = await gen.embed(["hello"]);
      assert.deepEqual(r.vectors, [embeddingOf("hello")]);
      assert.equal(server.embeddingRequests.at(-1)!.headers.authorization, "Bearer llm-key");
      assert.equal(server.embeddingRequests.at(-1)!.body.model, "text-embedding-test");
    });

    it("uses its own base URL and key when set", async () => {
      const other = await OpenAITestServer.start();
      try {
        const gen = openai({ embeddingsModel: "emb", embeddingsBaseUrl: other.baseUrl, embeddingsApiKey: "emb-key", apiKey: "llm-key" });
        await gen.embed(["a", "b"]);
        assert.equal(other.embeddingRequests.length, 1, "the embeddings server got the request");
        assert.equal(other.embeddingRequests[0]!.headers.authorization, "Bearer emb-key");
      } finally {
        await other.close();
      }
    });
  });
});
