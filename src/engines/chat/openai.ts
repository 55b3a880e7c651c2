import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { GatewayError } from "../../core/errors.js";
import { passageSources, withPassages } from "./passages.js";
import type { ChatProvider, ProviderEvent, ProviderRequest, TokenUsage } from "./provider.js";

/** How to reach an OpenAI-compatible server. */
export interface OpenAIProviderOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  /** Model used when a request names none. @default "gpt-4o-mini" */
  model?: string | undefined;
  /** Give up when the server sends nothing for this long: before the answer starts, or between two chunks. */
  timeoutMs: number;
}

const DEFAULT_MODEL = "gpt-4o-mini";
const roughTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

/** The innermost cause's message, e.g. "connect ECONNREFUSED 127.0.0.1:9" under the SDK's "Connection error.". */
function rootCause(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  const code = (e as { code?: unknown } | undefined)?.code;
  const message = e instanceof Error ? e.message : String(e);
  return typeof code === "string" && !message.includes(code) ? `${code}: ${message}` : message;
}

/** Seconds from a 429/503 answer's `retry-after` (seconds or an HTTP date), if it has one. */
function retryAfter(err: unknown): number | undefined {
  if (!(err instanceof APIError) || (err.status !== 429 && err.status !== 503)) return undefined;
  const value = err.headers?.get("retry-after");
  if (!value) return undefined;
  const sec = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
  return Number.isFinite(sec) && sec >= 0 ? Math.ceil(sec) : undefined;
}

/**
 * HTTP statuses with which the model server refuses the request itself (bad key, no access, unknown model,
 * malformed request): the same request will fail again, so it is LG_ERR_CHAT_REJECTED, not retryable.
 * Everything else (timeouts, connection errors, 408, 409, 429, 5xx, faults mid-stream) is LG_ERR_CHAT_FAILED.
 */
const REJECTED_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404, 422]);

/** The model server's refusal status, if `err` is one. */
function rejectedStatus(err: unknown): number | undefined {
  return err instanceof APIError && err.status !== undefined && REJECTED_STATUSES.has(err.status) ? err.status : undefined;
}

/**
 * Any OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp, LM Studio) through the `openai` SDK,
 * streamed (`stream: true` with usage in the last chunk). Cancelling the request's signal aborts the HTTP
 * request at once; the stream then ends with finishReason "cancelled". A server silent for `timeoutMs`
 * (before the answer starts or between chunks) and a stream that breaks off before its finish_reason
 * are failures (LG_ERR_CHAT_FAILED, retryable), never a truncated answer reported as complete; a request the
 * server refuses (400/401/403/404/422) is LG_ERR_CHAT_REJECTED (not retryable).
 */
export class OpenAIProvider implements ChatProvider {
  readonly name = "openai";
  readonly defaultModel: string;
  private readonly client: OpenAI;
  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;
  private readonly host: string;

  constructor(opts: OpenAIProviderOptions) {
    this.defaultModel = opts.model ?? DEFAULT_MODEL;
    this.apiKey = opts.apiKey;
    this.timeoutMs = opts.timeoutMs;
    this.host = new URL(opts.baseUrl).host;
    this.client = new OpenAI({
      baseURL: opts.baseUrl,
      // Local servers often need no key; the SDK insists on one, and a placeholder is what they ignore.
      apiKey: opts.apiKey ?? "not-needed",
      // The provider's own inactivity timer (below) is what fires; the SDK's is a backstop.
      timeout: opts.timeoutMs + 1000,
      maxRetries: 0,
    });
  }

  async *stream(req: ProviderRequest): AsyncGenerator<ProviderEvent> {
    const model = req.model ?? this.defaultModel;
    // Retrieved passages go into the prompt; all of them are the answer's sources (the model saw them all).
    const messages = req.passages ? withPassages(req.messages, req.passages) : req.messages;
    if (req.passages && req.passages.length > 0) yield { type: "sources", sources: passageSources(req.passages) };
    let usage: TokenUsage | undefined;
    let finishReason: "stop" | "length" | "cancelled" | undefined;
    let text = "";
    let streaming = false;

    // One controller for the HTTP request: aborted by the caller's signal, by the inactivity timer,
    // and when the consumer stops early (finally).
    const http = new AbortController();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        http.abort();
      }, this.timeoutMs);
    };
    const cancel = (): void => http.abort();
    req.signal?.addEventListener("abort", cancel, { once: true });
    if (req.signal?.aborted) http.abort();

    try {
      arm();
      const stream = await this.client.chat.completions.create(
        { model, messages, stream: true, stream_options: { include_usage: true } },
        { signal: http.signal },
      );
      streaming = true;
      arm();
      for await (const chunk of stream) {
        arm();
        const choice = chunk.choices[0];
        const delta = choice?.delta?.content;
        if (delta) {
          text += delta;
          // The timer measures the server's silence, not a slow consumer's.
          clearTimeout(timer);
          yield { type: "delta", text: delta };
          arm();
        }
        if (choice?.finish_reason) finishReason = choice.finish_reason === "length" ? "length" : "stop";
        if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
      }
      // The SDK ends its iterator quietly when the request is aborted: find out why it ended.
      if (timedOut) throw this.timeoutError(streaming);
      if (req.signal?.aborted) finishReason = "cancelled";
      else if (finishReason === undefined) {
        throw this.failure(`the model server at ${this.host} closed the stream before the answer was finished`);
      }
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      if (timedOut) throw this.timeoutError(streaming, err);
      if (err instanceof APIUserAbortError || req.signal?.aborted) finishReason = "cancelled";
      else throw this.failure(this.describe(err, streaming), err, retryAfter(err), rejectedStatus(err) !== undefined);
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener("abort", cancel);
      http.abort();
    }
    // Servers that do not send usage get an estimate, so cost tracking never sees nothing.
    usage ??= {
      promptTokens: messages.reduce((n, m) => n + roughTokens(m.content), 0),
      completionTokens: text ? roughTokens(text) : 0,
    };
    yield { type: "done", usage, model, finishReason: finishReason ?? "stop" };
  }

  /** Says what went wrong talking to the model server. */
  private describe(err: unknown, streaming: boolean): string {
    if (err instanceof APIConnectionTimeoutError) return `the model server at ${this.host} did not answer within ${this.timeoutMs} ms`;
    if (err instanceof APIError && err.status !== undefined) {
      const body = err.error as { message?: unknown } | undefined;
      const message = typeof body?.message === "string" ? body.message : "no details";
      return `the model server answered ${err.status}${err.code ? ` (${err.code})` : ""}: ${message}`;
    }
    if (err instanceof APIConnectionError) return `the model server at ${this.host} could not be reached: ${rootCause(err)}`;
    if (err instanceof APIError) {
      // An `{"error": …}` event inside the stream.
      const body = err.error as { message?: unknown } | undefined;
      return `the model server reported an error mid-stream: ${typeof body?.message === "string" ? body.message : err.message}`;
    }
    if (streaming) return `the model server at ${this.host} broke off the stream: ${rootCause(err)}`;
    return `the model server at ${this.host} could not be reached: ${rootCause(err)}`;
  }

  private timeoutError(streaming: boolean, cause?: unknown): GatewayError {
    const what = streaming ? "sent nothing more" : "did not answer";
    return this.failure(`the model server at ${this.host} ${what} within ${this.timeoutMs} ms (timed out)`, cause);
  }

  /**
   * LG_ERR_CHAT_FAILED (or LG_ERR_CHAT_REJECTED when the server refused the request) with `detail`, the API
   * key blotted out wherever a server echoed it.
   */
  private failure(detail: string, cause?: unknown, retryAfterSec?: number, rejected = false): GatewayError {
    const safe = this.apiKey && this.apiKey.length >= 4 ? detail.replaceAll(this.apiKey, "[redacted]") : detail;
    const params: Record<string, string | number> = { detail: safe };
    if (retryAfterSec !== undefined) params.retry_after = retryAfterSec;
    return new GatewayError(rejected ? "LG_ERR_CHAT_REJECTED" : "LG_ERR_CHAT_FAILED", params, cause === undefined ? undefined : { cause });
  }
}
