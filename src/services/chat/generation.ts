import { GatewayError, toGatewayError } from "../../core/errors.js";
import type { ChatOptions } from "../../core/options.js";
import { EmbeddingsError, type EmbeddingsProvider, type EmbeddingsResult } from "../../engines/chat/embeddings.js";
import type { ChatMessage, ChatProvider, ChatSource, ContextPassage, TokenUsage } from "../../engines/chat/provider.js";

export type { ContextPassage } from "../../engines/chat/provider.js";
export { EmbeddingsError } from "../../engines/chat/embeddings.js";

/** A raw completion: a system prompt and a prompt (or messages), no session, nothing stored. */
export interface CompletionRequest {
  system?: string | undefined;
  /** The user's prompt; appended after `messages` when both are given. */
  prompt?: string | undefined;
  /** Earlier turns (or the whole conversation), after the system prompt. */
  messages?: readonly ChatMessage[] | undefined;
  /** One of the configured models (`models`); default the provider's. */
  model?: string | undefined;
  language?: "en" | "ru" | undefined;
  signal?: AbortSignal | undefined;
}

/** A question answered from passages the caller retrieved. */
export interface PassageAnswerRequest {
  question: string;
  passages: readonly ContextPassage[];
  /** Instructions before the passages (e.g. the agent's role). */
  system?: string | undefined;
  /** Earlier turns, as context before the question. */
  history?: readonly ChatMessage[] | undefined;
  model?: string | undefined;
  language?: "en" | "ru" | undefined;
  signal?: AbortSignal | undefined;
}

/** What a generation yields: deltas, the sources (answers from passages), then exactly one `done`. */
export type GenerationEvent =
  | { type: "delta"; text: string }
  | { type: "sources"; sources: ChatSource[] }
  | { type: "done"; text: string; usage: TokenUsage; model: string; finishReason: "stop" | "length" | "cancelled" };

/** Why embeddings cannot be made: the settings to set. */
export const EMBEDDINGS_NOT_CONFIGURED =
  "no embeddings model is configured: set LIVEGATE_EMBEDDINGS_MODEL (--embeddings-model) to an embeddings model of an " +
  "OpenAI-compatible server, and LIVEGATE_EMBEDDINGS_BASE_URL (--embeddings-base-url) or LIVEGATE_LLM_BASE_URL to that server";
const EMBEDDINGS_NO_SERVER =
  "LIVEGATE_EMBEDDINGS_MODEL is set but no server is: set LIVEGATE_EMBEDDINGS_BASE_URL (--embeddings-base-url) or LIVEGATE_LLM_BASE_URL";

/**
 * The chat provider without CodeGraph's session semantics, for dialects whose requests carry their own
 * context (TrustGraph's text-completion, prompt, agent, document-rag, graph-rag): raw completions,
 * answers from given passages, and embeddings. Nothing is stored; the caller owns the conversation.
 */
export class ChatGeneration {
  private embeddingsClient: EmbeddingsProvider | undefined;

  constructor(
    private readonly provider: ChatProvider,
    private readonly options: ChatOptions,
  ) {}

  /** Name of the provider (`embedded` or `openai`). */
  get providerName(): string {
    return this.provider.name;
  }

  /** The model used when a request names none. */
  get defaultModel(): string {
    return this.provider.defaultModel;
  }

  /** Models a request may name. */
  get models(): string[] {
    return [...new Set([this.provider.defaultModel, ...this.options.models])];
  }

  /**
   * Streams a completion of `system` + `messages` + `prompt`.
   * @throws GatewayError LG_ERR_MODEL_UNKNOWN before the first event; LG_ERR_CHAT_FAILED for provider failures.
   */
  complete(req: CompletionRequest): AsyncGenerator<GenerationEvent> {
    const messages: ChatMessage[] = [];
    if (req.system) messages.push({ role: "system", content: req.system });
    messages.push(...(req.messages ?? []));
    if (req.prompt !== undefined) messages.push({ role: "user", content: req.prompt });
    return this.run(messages, undefined, req);
  }

  /**
   * Streams an answer to `question` from `passages`: the embedded engine answers extractively from them,
   * a model gets them in its prompt and is asked to cite them. A `sources` event (the passages used)
   * comes before the text when there are any.
   */
  answer(req: PassageAnswerRequest): AsyncGenerator<GenerationEvent> {
    const messages: ChatMessage[] = [];
    if (req.system) messages.push({ role: "system", content: req.system });
    messages.push(...(req.history ?? []), { role: "user", content: req.question });
    return this.run(messages, req.passages, req);
  }

  /** Whether an embeddings model is configured (`embed` can work). */
  get embeddingsConfigured(): boolean {
    return this.options.embeddingsModel !== undefined && (this.options.embeddingsBaseUrl ?? this.options.baseUrl) !== undefined;
  }

  /**
   * Vectors for `texts` from the configured OpenAI-compatible embeddings endpoint.
   * @throws EmbeddingsError: reason `not-configured` (the message names the settings to set), `cancelled`, `failed`
   */
  async embed(texts: readonly string[], signal?: AbortSignal): Promise<EmbeddingsResult> {
    const model = this.options.embeddingsModel;
    const baseUrl = this.options.embeddingsBaseUrl ?? this.options.baseUrl;
    if (model === undefined) throw new EmbeddingsError(EMBEDDINGS_NOT_CONFIGURED, "not-configured");
    if (baseUrl === undefined) throw new EmbeddingsError(EMBEDDINGS_NO_SERVER, "not-configured");
    if (!this.embeddingsClient) {
      // The `openai` SDK is loaded on first use only, as for chat.
      const { OpenAIEmbeddings } = await import("../../engines/chat/openai-embeddings.js");
      this.embeddingsClient ??= new OpenAIEmbeddings({ baseUrl, apiKey: this.options.embeddingsApiKey ?? this.options.apiKey, model, timeoutMs: this.options.timeoutMs });
    }
    return this.embeddingsClient.embed(texts, signal);
  }

  private async *run(messages: ChatMessage[], passages: readonly ContextPassage[] | undefined, req: { model?: string | undefined; language?: "en" | "ru" | undefined; signal?: AbortSignal | undefined }): AsyncGenerator<GenerationEvent> {
    if (req.model !== undefined && !this.models.includes(req.model)) {
      throw new GatewayError("LG_ERR_MODEL_UNKNOWN", { model: req.model, models: this.models.join(", ") });
    }
    let text = "";
    let done = false;
    try {
      for await (const ev of this.provider.stream({ messages, passages, model: req.model ?? this.provider.defaultModel, language: req.language, signal: req.signal })) {
        if (ev.type === "delta") {
          text += ev.text;
          yield ev;
        } else if (ev.type === "sources") {
          yield ev;
        } else {
          done = true;
          yield { type: "done", text, usage: ev.usage, model: ev.model, finishReason: ev.finishReason };
        }
      }
    } catch (err) {
      throw err instanceof GatewayError ? err : new GatewayError("LG_ERR_CHAT_FAILED", { detail: toGatewayError(err).message }, { cause: err });
    }
    if (!done) throw new GatewayError("LG_ERR_CHAT_FAILED", { detail: `provider ${this.provider.name} ended without a result` });
  }
}
