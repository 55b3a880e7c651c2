/** One message of a chat context. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** Where an answer came from (Nadoo's `sources`, TrustGraph's document-rag). */
export interface ChatSource {
  id: string;
  title: string;
  /** The passage used. */
  snippet: string;
  score: number;
}

/**
 * A passage the caller already retrieved (a document, a chunk, facts from a graph), to answer from instead
 * of the provider's own knowledge or search. The embedded engine answers extractively from the passages;
 * an OpenAI-compatible model gets them in its prompt and is asked to cite them.
 */
export interface ContextPassage {
  /** Stable id the answer's sources refer to (a document id, an entity URI). */
  id: string;
  title: string;
  text: string;
  /** Retrieval score, higher is better; default by rank (first passage best). */
  score?: number | undefined;
  /** Query terms the retrieval matched, lower-case; the embedded engine scores sentences by them. */
  terms?: readonly string[] | undefined;
}

/** What a provider is asked. */
export interface ProviderRequest {
  messages: ChatMessage[];
  /**
   * Passages to answer the last user message from. When given (even empty), the answer comes from them
   * alone and the provider's `sources` event lists the passages it used; the embedded engine then
   * searches nothing itself.
   */
  passages?: readonly ContextPassage[] | undefined;
  /** A configured model name; providers fall back to their default. */
  model?: string | undefined;
  language?: "en" | "ru" | undefined;
  /** Aborting stops generation at once; the stream then ends with finishReason "cancelled". */
  signal?: AbortSignal | undefined;
}

/** Token counts of one answer. */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

/** What a provider streams: text deltas, optional sources, then exactly one `done`. */
export type ProviderEvent =
  | { type: "delta"; text: string }
  | { type: "sources"; sources: ChatSource[] }
  | { type: "done"; usage: TokenUsage; model: string; finishReason: "stop" | "length" | "cancelled" };

/**
 * A chat model. `stream` yields deltas as they are produced, reports token usage at the end and honours
 * cancellation. Failures are thrown as GatewayError LG_ERR_CHAT_FAILED with a clear detail.
 */
export interface ChatProvider {
  readonly name: string;
  /** Model used when a request names none. */
  readonly defaultModel: string;
  stream(req: ProviderRequest): AsyncIterable<ProviderEvent>;
}
