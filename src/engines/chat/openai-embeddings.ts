import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { EmbeddingsError, type EmbeddingsClientOptions, type EmbeddingsProvider, type EmbeddingsResult } from "./embeddings.js";

/**
 * Embeddings from any OpenAI-compatible server through the `openai` SDK (`embeddings.create`). Floats
 * are asked for explicitly (`encoding_format: "float"`): the SDK's own default, base64, is not
 * understood by every local server.
 */
export class OpenAIEmbeddings implements EmbeddingsProvider {
  readonly model: string;
  private readonly client: OpenAI;
  private readonly host: string;

  constructor(private readonly opts: EmbeddingsClientOptions) {
    this.model = opts.model;
    this.host = new URL(opts.baseUrl).host;
    this.client = new OpenAI({
      baseURL: opts.baseUrl,
      // Local servers often need no key; the SDK insists on one, and a placeholder is what they ignore.
      apiKey: opts.apiKey ?? "not-needed",
      timeout: opts.timeoutMs,
      maxRetries: 0,
    });
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<EmbeddingsResult> {
    if (texts.length === 0) return { vectors: [], model: this.model, promptTokens: 0 };
    try {
      const res = await this.client.embeddings.create({ model: this.model, input: [...texts], encoding_format: "float" }, { signal });
      // `data` is in input order on OpenAI; `index` says so for servers that do not keep it.
      const vectors: number[][] = new Array<number[]>(texts.length);
      for (const item of res.data) vectors[item.index] = item.embedding;
      if (vectors.some((v) => !Array.isArray(v)) || vectors.length !== texts.length) {
        throw new EmbeddingsError(`the embeddings server at ${this.host} returned ${res.data.length} vectors for ${texts.length} texts`);
      }
      return { vectors, model: res.model || this.model, promptTokens: res.usage?.prompt_tokens ?? 0 };
    } catch (err) {
      if (err instanceof EmbeddingsError) throw err;
      if (err instanceof APIUserAbortError || signal?.aborted) throw new EmbeddingsError("cancelled", "cancelled", { cause: err });
      throw new EmbeddingsError(this.redact(this.describe(err)), "failed", { cause: err });
    }
  }

  private describe(err: unknown): string {
    if (err instanceof APIConnectionTimeoutError) return `the embeddings server at ${this.host} did not answer within ${this.opts.timeoutMs} ms`;
    if (err instanceof APIError && err.status !== undefined) {
      const body = err.error as { message?: unknown } | undefined;
      const message = typeof body?.message === "string" ? body.message : "no details";
      return `the embeddings server answered ${err.status}${err.code ? ` (${err.code})` : ""}: ${message}`;
    }
    if (err instanceof APIConnectionError) {
      let cause: unknown = err;
      while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
      return `the embeddings server at ${this.host} could not be reached: ${cause instanceof Error ? cause.message : String(cause)}`;
    }
    return `the embeddings request to ${this.host} failed: ${err instanceof Error ? err.message : String(err)}`;
  }

  private redact(detail: string): string {
    const key = this.opts.apiKey;
    return key && key.length >= 4 ? detail.replaceAll(key, "[redacted]") : detail;
  }
}
