/** How to reach an OpenAI-compatible embeddings endpoint (`POST {baseUrl}/embeddings`). */
export interface EmbeddingsClientOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  /** The embeddings model, e.g. `text-embedding-3-small`, `nomic-embed-text`. */
  model: string;
  /** Give up when the server has not answered within this time. */
  timeoutMs: number;
}

/** Vectors for some texts, in the order of the texts. */
export interface EmbeddingsResult {
  vectors: number[][];
  /** The model the server says it used. */
  model: string;
  promptTokens: number;
}

/**
 * Embeddings could not be made, with a message that says what happened (the API key blotted out):
 * `not-configured` (the message names the settings to set), `cancelled` (the caller aborted) or `failed`.
 */
export class EmbeddingsError extends Error {
  constructor(
    message: string,
    readonly reason: "not-configured" | "cancelled" | "failed" = "failed",
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "EmbeddingsError";
  }
}

/** Turns texts into vectors. */
export interface EmbeddingsProvider {
  readonly model: string;
  embed(texts: readonly string[], signal?: AbortSignal): Promise<EmbeddingsResult>;
}

