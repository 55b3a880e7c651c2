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

/** What a provider is asked. */
export interface ProviderRequest {
  messages: ChatMessage[];
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
