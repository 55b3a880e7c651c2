import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { GatewayError } from "../../core/errors.js";
import type { ChatProvider, ProviderEvent, ProviderRequest, TokenUsage } from "./provider.js";

/** How to reach an OpenAI-compatible server. */
export interface OpenAIProviderOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  /** Model used when a request names none. @default "gpt-4o-mini" */
  model?: string | undefined;
  timeoutMs: number;
}

const DEFAULT_MODEL = "gpt-4o-mini";
const roughTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

/** Says what went wrong talking to the model server, without leaking the API key. */
function describe(err: unknown): string {
  if (err instanceof APIConnectionTimeoutError) return "the model server did not answer in time";
  if (err instanceof APIError && err.status !== undefined) return `the model server answered ${err.status}: ${err.message}`;
  if (err instanceof Error) return `the model server could not be reached: ${err.message}`;
  return String(err);
}

/**
 * Any OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp, LM Studio) through the `openai` SDK,
 * streamed (`stream: true` with usage in the last chunk). Cancelling the request's signal aborts the HTTP
 * request at once; the stream then ends with finishReason "cancelled".
 */
export class OpenAIProvider implements ChatProvider {
  readonly name = "openai";
  readonly defaultModel: string;
  private readonly client: OpenAI;

  constructor(opts: OpenAIProviderOptions) {
    this.defaultModel = opts.model ?? DEFAULT_MODEL;
    this.client = new OpenAI({
      baseURL: opts.baseUrl,
      // Local servers often need no key; the SDK insists on one, and a placeholder is what they ignore.
      apiKey: opts.apiKey ?? "not-needed",
      timeout: opts.timeoutMs,
      maxRetries: 0,
    });
  }

  async *stream(req: ProviderRequest): AsyncGenerator<ProviderEvent> {
    const model = req.model ?? this.defaultModel;
    let usage: TokenUsage | undefined;
    let finishReason: "stop" | "length" | "cancelled" = "stop";
    let text = "";
    try {
      const stream = await this.client.chat.completions.create(
        { model, messages: req.messages, stream: true, stream_options: { include_usage: true } },
        { signal: req.signal },
      );
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        const delta = choice?.delta?.content;
        if (delta) {
          text += delta;
          yield { type: "delta", text: delta };
        }
        if (choice?.finish_reason === "length") finishReason = "length";
        if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
      }
    } catch (err) {
      if (err instanceof APIUserAbortError || req.signal?.aborted) {
        finishReason = "cancelled";
      } else {
        throw new GatewayError("LG_ERR_CHAT_FAILED", { detail: describe(err) }, { cause: err });
      }
    }
    // Servers that do not send usage get an estimate, so cost tracking never sees nothing.
    usage ??= {
      promptTokens: req.messages.reduce((n, m) => n + roughTokens(m.content), 0),
      completionTokens: text ? roughTokens(text) : 0,
    };
    yield { type: "done", usage, model, finishReason };
  }
}
