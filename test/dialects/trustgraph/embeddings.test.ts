import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TestClient } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { OPENAI_ERRORS, OpenAITestServer, embeddingOf } from "../../helpers/openai-server.js";
import { ask, call, connectTg } from "./tg-client.js";

describe("TrustGraph embeddings", () => {
  describe("with an embeddings model configured", () => {
    let llm: OpenAITestServer;
    let gw: TestGateway;
    let client: TestClient;
    before(async () => {
      llm = await OpenAITestServer.start();
      gw = await startTestGateway({ chat: { baseUrl: llm.baseUrl, embeddingsModel: "text-embedding-test" } });
      client = await connectTg(gw);
    });
    after(async () => {
      client.close();
      await gw.close();
      await llm.close();
    });

    it("answers the seed's {text} with {vectors: [vector]} from the OpenAI-compatible endpoint", async () => {
      const r = await ask(client, "embeddings", { text: "What is a triple?" }, "default");
      assert.deepEqual(r, { vectors: [embeddingOf("What is a triple?")] });
      assert.deepEqual(llm.embeddingRequests.at(-1)!.body, { model: "text-embedding-test", input: ["What is a triple?"], encoding_format: "float" });
    });

    it("answers v2's {texts: [...]} with one vector per text, in order", async () => {
      const r = await ask(client, "embeddings", { texts: ["alpha", "beta gamma"] }, "default");
      assert.deepEqual(r, { vectors: [embeddingOf("alpha"), embeddingOf("beta gamma")] });
    });

    it("is served through the REST twin with the same body", async () => {
      const res = await gw.api("/api/v1/flow/default/service/embeddings", { body: { text: "hello" } });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { vectors: [embeddingOf("hello")] });
    });

    it("reports a failure of the embeddings server as a clear error and keeps the socket open", async () => {
      llm.scriptEmbeddings({ status: 404, error: OPENAI_ERRORS.modelNotFound("text-embedding-test") });
      const [f] = await call(client, "embeddings", { text: "x" }, "default");
      assert.equal(f!.complete, true);
      assert.equal(f!.error?.type, "error", JSON.stringify(f));
      assert.equal(f!.error?.message, "embeddings: the embeddings server answered 404 (model_not_found): The model `text-embedding-test` does not exist or you do not have access to it.");
      assert.deepEqual(await ask(client, "embeddings", { text: "y" }, "default"), { vectors: [embeddingOf("y")] });
    });

    it("refuses a request without text", async () => {
      for (const request of [{}, { text: "" }, { texts: [] }, { texts: ["a", 1] }]) {
        const [f] = await call(client, "embeddings", request, "default");
        assert.equal(f!.error?.type, "invalid-request", `${JSON.stringify(request)}: ${JSON.stringify(f)}`);
      }
    });
  });

  describe("without an embeddings model", () => {
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

    it("answers not-configured, naming the settings to set", async () => {
      const [f] = await call(client, "embeddings", { text: "x" }, "default");
      assert.equal(f!.complete, true);
      assert.equal(f!.error?.type, "not-configured", JSON.stringify(f));
      assert.equal(
        f!.error?.message,
        "embeddings: no embeddings model is configured: set LIVEGATE_EMBEDDINGS_MODEL (--embeddings-model) to an embeddings model of an " +
          "OpenAI-compatible server, and LIVEGATE_EMBEDDINGS_BASE_URL (--embeddings-base-url) or LIVEGATE_LLM_BASE_URL to that server",
      );
    });
  });

  describe("services the seed names that livegate does not serve", () => {
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

    for (const kind of ["graph-embeddings", "document-embeddings", "objects", "nlp-query", "structured-query", "mcp-tool", "structured-diag"]) {
      it(`${kind} answers not-configured naming the service, and the socket stays open`, async () => {
        const [f] = await call(client, kind, { query: "x" }, "default");
        assert.equal(f!.complete, true);
        assert.equal(f!.error?.type, "not-configured", JSON.stringify(f));
        assert.match(f!.error?.message as string, new RegExp(`^service "${kind}" is not available in livegate: `));
      });
    }

    it("the REST twin answers the same error", async () => {
      const res = await gw.api("/api/v1/flow/default/service/mcp-tool", { body: { name: "x" } });
      const body = (await res.json()) as { error?: { type: string; message: string } };
      assert.equal(body.error?.type, "not-configured", JSON.stringify(body));
    });
  });
});
