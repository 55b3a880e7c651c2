import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChatCompletionChunk, ChatCompletionCreateParams } from "openai/resources/chat/completions";
import type { CreateEmbeddingResponse, EmbeddingCreateParams } from "openai/resources/embeddings";

/**
 * A local stand-in for an OpenAI-compatible server (the hosted API cannot run in tests). It speaks the
 * real Chat Completions wire format: `POST /v1/chat/completions` with `stream: true` answers
 * `text/event-stream` of `data: <ChatCompletionChunk>` events, a usage-only chunk (`choices: []`) when
 * `stream_options.include_usage` is set, then `data: [DONE]`; errors carry OpenAI's body
 * `{"error":{"message","type","param","code"}}`. Chunks are typed with the `openai` SDK's own types, so
 * the format cannot drift from what the SDK parses.
 *
 * Each request takes the next scripted reply (`script`), or the default one (`setDefault`).
 *
 * `POST /v1/embeddings` answers OpenAI's `CreateEmbeddingResponse` (`{object:"list", data:[{object:
 * "embedding", index, embedding}], model, usage}`), floats or base64 of little-endian float32 as
 * `encoding_format` asks; each vector is `embeddingOf(text)`, so tests can assert exact values. Embeddings
 * requests are recorded in `embeddingRequests` and scripted with `scriptEmbeddings`.
 */

/** OpenAI's error object, as sent in `{"error": …}`. */
export interface OpenAIErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/** How to answer one request. */
export interface ScriptedReply {
  /** Content deltas, one chunk each. @default ["Hello", " world"] */
  deltas?: string[];
  /** Delay before each delta chunk, ms. @default 0 */
  delayMs?: number;
  /** finish_reason of the last choice chunk. @default "stop" */
  finishReason?: "stop" | "length";
  /** Usage to report when the client asks for it; `false` sends no usage chunk at all (like some local servers). */
  usage?: { prompt_tokens: number; completion_tokens: number } | false;
  /** Answer with this HTTP status and `error` body instead of a stream. */
  status?: number;
  error?: OpenAIErrorBody;
  /** Extra response headers (e.g. retry-after on a 429). */
  headers?: Record<string, string>;
  /** Never answer: `"headers"` sends nothing at all; a number sends headers and that many deltas, then stalls. */
  hang?: "headers" | number;
  /** Destroy the socket after this many deltas (no finish chunk, no [DONE]). */
  disconnectAfter?: number;
  /** Send an `{"error":…}` event in the stream after this many deltas (as OpenAI does for mid-stream faults). */
  streamErrorAfter?: number;
}

/** What livegate sent, and how the exchange ended. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: ChatCompletionCreateParams;
  /** Resolves when the connection of this request is closed (by either side). */
  closed: Promise<void>;
  /** True once the client went away before the response was complete (an aborted request). */
  abortedByClient: boolean;
}

/** How to answer one embeddings request. */
export interface ScriptedEmbeddingsReply {
  /** Answer with this HTTP status and `error` body instead of vectors. */
  status?: number;
  error?: OpenAIErrorBody;
  /** Send nothing at all until the client gives up (or aborts). */
  hang?: true;
}

/** An embeddings request livegate sent. */
export interface RecordedEmbeddingsRequest {
  headers: IncomingHttpHeaders;
  body: EmbeddingCreateParams;
  /** Resolves when the connection of this request is closed (by either side). */
  closed: Promise<void>;
  abortedByClient: boolean;
}

/** Length of the test server's vectors. */
export const EMBEDDING_DIMENSIONS = 4;

/**
 * The test server's vector for a text: [length, code of the first character, words, 0.5], so a test can
 * say exactly which vector belongs to which text.
 */
export function embeddingOf(text: string): number[] {
  return [text.length, text.codePointAt(0) ?? 0, text.split(/\s+/u).filter(Boolean).length, 0.5];
}

/** Real error bodies, as api.openai.com sends them. */
export const OPENAI_ERRORS = {
  invalidApiKey: (shownKey: string): OpenAIErrorBody => ({
    message: `Incorrect API key provided: ${shownKey}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    type: "invalid_request_error",
    param: null,
    code: "invalid_api_key",
  }),
  rateLimited: (model: string): OpenAIErrorBody => ({
    message: `Rate limit reached for ${model} in organization org-test on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.`,
    type: "requests",
    param: null,
    code: "rate_limit_exceeded",
  }),
  server: (): OpenAIErrorBody => ({
    message: "The server had an error while processing your request. Sorry about that!",
    type: "server_error",
    param: null,
    code: null,
  }),
  modelNotFound: (model: string): OpenAIErrorBody => ({
    message: `The model \`${model}\` does not exist or you do not have access to it.`,
    type: "invalid_request_error",
    param: null,
    code: "model_not_found",
  }),
} as const;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class OpenAITestServer {
  readonly requests: RecordedRequest[] = [];
  readonly embeddingRequests: RecordedEmbeddingsRequest[] = [];
  private readonly embeddingsQueue: ScriptedEmbeddingsReply[] = [];
  private readonly queue: ScriptedReply[] = [];
  private fallback: ScriptedReply = {};
  private waiters: (() => void)[] = [];
  private nextId = 1;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Starts on 127.0.0.1, a free port. */
  static async start(): Promise<OpenAITestServer> {
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const self = new OpenAITestServer(server, (server.address() as AddressInfo).port);
    server.on("request", (req: IncomingMessage, res: ServerResponse) => void self.handle(req, res));
    return self;
  }

  /** The base URL to configure (`…/v1`, as OpenAI's). */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /** Queues replies for the next requests, in order. */
  script(...replies: ScriptedReply[]): void {
    this.queue.push(...replies);
  }

  /** Queues replies for the next embeddings requests, in order (the default answers with vectors). */
  scriptEmbeddings(...replies: ScriptedEmbeddingsReply[]): void {
    this.embeddingsQueue.push(...replies);
  }

  /** The reply for requests with nothing queued. */
  setDefault(reply: ScriptedReply): void {
    this.fallback = reply;
  }

  /** The most recent request; fails if there was none. */
  get last(): RecordedRequest {
    const r = this.requests.at(-1);
    if (!r) throw new Error("the OpenAI test server received no request");
    return r;
  }

  /** Waits until `n` chat requests have arrived. */
  waitForRequests(n: number, timeoutMs = 2000): Promise<void> {
    return this.waitUntil(() => this.requests.length >= n, () => `the OpenAI test server got ${this.requests.length} requests, expected ${n} within ${timeoutMs} ms`, timeoutMs);
  }

  /** Waits until `n` embeddings requests have arrived. */
  waitForEmbeddingRequests(n: number, timeoutMs = 2000): Promise<void> {
    return this.waitUntil(
      () => this.embeddingRequests.length >= n,
      () => `the OpenAI test server got ${this.embeddingRequests.length} embeddings requests, expected ${n} within ${timeoutMs} ms`,
      timeoutMs,
    );
  }

  private async waitUntil(done: () => boolean, failure: () => string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(failure());
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Closes the server and every open connection (hanging streams included). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: ChatCompletionCreateParams;
    try {
      body = JSON.parse(raw) as ChatCompletionCreateParams;
    } catch {
      return this.sendError(res, 400, { message: "We could not parse the JSON body of your request.", type: "invalid_request_error", param: null, code: null });
    }
    if (req.method === "POST" && req.url === "/v1/embeddings") return this.embeddings(req, res, body as unknown as EmbeddingCreateParams);
    const record: RecordedRequest = {
      method: req.method ?? "",
      path: req.url ?? "",
      headers: req.headers,
      body,
      closed: new Promise((resolve) => res.once("close", () => resolve())),
      abortedByClient: false,
    };
    res.once("close", () => {
      if (!res.writableFinished) record.abortedByClient = true;
    });
    this.requests.push(record);
    this.notify();

    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      return this.sendError(res, 404, { message: `Invalid URL (${req.method} ${req.url})`, type: "invalid_request_error", param: null, code: null });
    }
    const reply = this.queue.shift() ?? this.fallback;
    if (reply.status !== undefined) {
      return this.sendError(res, reply.status, reply.error ?? OPENAI_ERRORS.server(), reply.headers);
    }
    if (reply.hang === "headers") return; // never answers; the client's timeout must fire
    if (body.stream !== true) {
      return this.sendError(res, 400, { message: "this test server only streams; send stream: true", type: "invalid_request_error", param: "stream", code: null });
    }
    await this.stream(res, body, reply);
  }

  private async stream(res: ServerResponse, body: ChatCompletionCreateParams, reply: ScriptedReply): Promise<void> {
    const id = `chatcmpl-test${this.nextId++}`;
    const created = Math.floor(Date.now() / 1000);
    const model = body.model;
    const includeUsage = body.stream_options?.include_usage === true;
    const chunk = (choices: ChatCompletionChunk["choices"], usage?: ChatCompletionChunk["usage"]): ChatCompletionChunk => ({
      id,
      object: "chat.completion.chunk",
      created,
      model,
      system_fingerprint: "fp_test",
      choices,
      // OpenAI sends "usage": null on every chunk when usage was asked for, and the totals on the last one.
      ...(includeUsage ? { usage: usage ?? null } : {}),
    });
    const send = (data: ChatCompletionChunk | { error: OpenAIErrorBody }): boolean => !res.destroyed && res.write(`data: ${JSON.stringify(data)}\n\n`);

    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive", ...reply.headers });
    res.flushHeaders();
    send(chunk([{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }]));

    const deltas = reply.deltas ?? ["Hello", " world"];
    for (let i = 0; i < deltas.length; i++) {
      if (reply.hang === i) return; // headers and i deltas sent; stalls until the client gives up
      if (reply.disconnectAfter === i) {
        res.socket?.destroy();
        return;
      }
      if (reply.streamErrorAfter === i) {
        send({ error: OPENAI_ERRORS.server() });
        res.end();
        return;
      }
      if (reply.delayMs) await sleep(reply.delayMs);
      if (res.destroyed) return;
      send(chunk([{ index: 0, delta: { content: deltas[i]! }, logprobs: null, finish_reason: null }]));
    }
    if (reply.hang === deltas.length) return;
    if (reply.disconnectAfter === deltas.length) {
      res.socket?.destroy();
      return;
    }
    send(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: reply.finishReason ?? "stop" }]));
    if (includeUsage && reply.usage !== false) {
      const u = reply.usage ?? { prompt_tokens: 11, completion_tokens: deltas.length };
      send(chunk([], { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, total_tokens: u.prompt_tokens + u.completion_tokens }));
    }
    if (!res.destroyed) res.end("data: [DONE]\n\n");
  }

  private embeddings(req: IncomingMessage, res: ServerResponse, body: EmbeddingCreateParams): void {
    const record: RecordedEmbeddingsRequest = {
      headers: req.headers,
      body,
      closed: new Promise((resolve) => res.once("close", () => resolve())),
      abortedByClient: false,
    };
    res.once("close", () => {
      if (!res.writableFinished) record.abortedByClient = true;
    });
    this.embeddingRequests.push(record);
    this.notify();
    const reply = this.embeddingsQueue.shift() ?? {};
    if (reply.status !== undefined) return this.sendError(res, reply.status, reply.error ?? OPENAI_ERRORS.server());
    if (reply.hang) return;
    const inputs = typeof body.input === "string" ? [body.input] : body.input;
    if (!Array.isArray(inputs) || inputs.some((x) => typeof x !== "string" || x === "")) {
      return this.sendError(res, 400, { message: "'input' : input must be a non-empty string or an array of non-empty strings", type: "invalid_request_error", param: "input", code: null });
    }
    const texts = inputs as string[];
    const encode = (v: number[]): number[] =>
      body.encoding_format === "base64" ? (Buffer.from(new Float32Array(v).buffer).toString("base64") as unknown as number[]) : v;
    const tokens = texts.reduce((n, t) => n + Math.max(1, Math.ceil(t.length / 4)), 0);
    const response: CreateEmbeddingResponse = {
      object: "list",
      data: texts.map((t, index) => ({ object: "embedding", index, embedding: encode(embeddingOf(t)) })),
      model: body.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(response));
  }

  private sendError(res: ServerResponse, status: number, error: OpenAIErrorBody, headers: Record<string, string> = {}): void {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify({ error }));
  }
}
