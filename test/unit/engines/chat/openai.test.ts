import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GatewayError } from "../../../../src/core/errors.js";
import { OpenAIProvider, type OpenAIProviderOptions } from "../../../../src/engines/chat/openai.js";
import type { ProviderEvent, ProviderRequest } from "../../../../src/engines/chat/provider.js";
import { OPENAI_ERRORS, OpenAITestServer, type ScriptedReply } from "../../../helpers/openai-server.js";

const API_KEY = "sk-test-livegate-0123456789abcdefSECRET";
type Done = Extract<ProviderEvent, { type: "done" }>;

interface Collected {
  events: ProviderEvent[];
  deltas: string[];
  done: Done | undefined;
}

/** Drains a provider stream; `onDelta` may act (e.g. abort) after each delta. */
async function collect(stream: AsyncIterable<ProviderEvent>, onDelta?: (n: number) => void): Promise<Collected> {
  const events: ProviderEvent[] = [];
  const deltas: string[] = [];
  let done: Done | undefined;
  for await (const ev of stream) {
    events.push(ev);
    if (ev.type === "delta") {
      deltas.push(ev.text);
      onDelta?.(deltas.length);
    }
    if (ev.type === "done") done = ev;
  }
  return { events, deltas, done };
}

/** Runs a stream that must fail; returns the GatewayError. */
async function expectFailure(stream: AsyncIterable<ProviderEvent>, what: string): Promise<GatewayError> {
  try {
    const got = await collect(stream);
    assert.fail(`${what}: the stream should have failed, but it ended with ${JSON.stringify(got.done)} after ${JSON.stringify(got.deltas)}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    assert.ok(err instanceof GatewayError, `${what}: should throw a GatewayError, got ${String(err)}`);
    return err;
  }
}

const ask = (content: string, extra: Partial<ProviderRequest> = {}): ProviderRequest => ({
  messages: [
    { role: "system", content: "You are a test." },
    { role: "user", content },
  ],
  ...extra,
});

describe("OpenAIProvider against an OpenAI-compatible server", () => {
  let server: OpenAITestServer;

  const provider = (opts: Partial<OpenAIProviderOptions> = {}): OpenAIProvider =>
    new OpenAIProvider({ baseUrl: server.baseUrl, apiKey: API_KEY, model: "gpt-test-mini", timeoutMs: 5000, ...opts });

  /** Scripts one reply and runs one request with a fresh server, so tests can run in parallel. */
  async function withServer<T>(fn: (s: OpenAITestServer) => Promise<T>): Promise<T> {
    const s = await OpenAITestServer.start();
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  }

  before(async () => {
    server = await OpenAITestServer.start();
  });
  after(() => server.close());

  it("streams the deltas in order and ends with finishReason stop", async () => {
    await withServer(async (s) => {
      s.script({ deltas: ["The ", "answer ", "is ", "42", "."], delayMs: 2 });
      const p = new OpenAIProvider({ baseUrl: s.baseUrl, apiKey: API_KEY, model: "gpt-test-mini", timeoutMs: 5000 });
      const got = await collect(p.stream(ask("What is the answer?")));
      assert.deepEqual(got.deltas, ["The ", "answer ", "is ", "42", "."], "deltas should arrive as sent, in order, without the empty role chunk");
      assert.equal(got.events.at(-1)?.type, "done", "the last event should be done");
      assert.equal(got.events.filter((e) => e.type === "done").length, 1, "exactly one done event");
      assert.equal(got.done?.finishReason, "stop", "finishReason");
      assert.equal(got.done?.model, "gpt-test-mini", "done should name the model used");
    });
  });

  it("reports the usage from the final chunk", async () => {
    await withServer(async (s) => {
      s.script({ deltas: ["a", "b"], usage: { prompt_tokens: 123, completion_tokens: 45 } });
      const p = new OpenAIProvider({ baseUrl: s.baseUrl, timeoutMs: 5000 });
      const got = await collect(p.stream(ask("hi")));
      assert.deepEqual(got.done?.usage, { promptTokens: 123, completionTokens: 45 }, "usage should be the server's numbers");
      assert.deepEqual(s.last.body.stream_options, { include_usage: true }, "the provider should ask for usage in the stream");
    });
  });

  it("estimates usage when the server sends none", async () => {
    await withServer(async (s) => {
      s.script({ deltas: ["twelve chars", " and some more text"], usage: false });
      const p = new OpenAIProvider({ baseUrl: s.baseUrl, timeoutMs: 5000 });
      const got = await collect(p.stream(ask("a question of some length")));
      const usage = got.done?.usage;
      assert.ok(usage, "done should carry usage");
      assert.ok(usage.promptTokens > 0, `estimated prompt tokens should be positive, got ${usage.promptTokens}`);
      assert.ok(usage.completionTokens > 0, `estimated completion tokens should be positive, got ${usage.completionTokens}`);
      assert.equal(got.done?.finishReason, "stop", "finishReason");
    });
  });

  it("sends the configured model, the API key and the messages", async () => {
    const p = provider({ model: "my-model-7b" });
    const req = ask("Where is main() defined?");
    await collect(p.stream(req));
    const sent = server.last;
    assert.equal(sent.method, "POST", "method");
    assert.equal(sent.path, "/v1/chat/completions", "path under the base URL");
    assert.equal(sent.headers.authorization, `Bearer ${API_KEY}`, "Authorization should carry the configured API key");
    assert.equal(sent.body.model, "my-model-7b", "the configured default model should be sent");
    assert.equal(sent.body.stream, true, "the request should stream");
    assert.deepEqual(sent.body.messages, req.messages, "the messages should be sent as given");
  });

  it("sends the model a request names instead of the default", async () => {
    await withServer(async (s) => {
      const p = new OpenAIProvider({ baseUrl: s.baseUrl, apiKey: API_KEY, model: "default-model", timeoutMs: 5000 });
      const got = await collect(p.stream(ask("hi", { model: "other-model" })));
      assert.equal(s.last.body.model, "other-model", "the requested model should be sent");
      assert.equal(got.done?.model, "other-model", "done should report the model used");
    });
  });

  it("maps finish_reason length to finishReason length", async () => {
    await withServer(async (s) => {
      s.script({ deltas: ["cut", " off"], finishReason: "length" });
      const p = new OpenAIProvider({ baseUrl: s.baseUrl, timeoutMs: 5000 });
      const got = await collect(p.stream(ask("write a novel")));
      assert.equal(got.done?.finishReason, "length", "a length stop should be reported as length");
      assert.deepEqual(got.deltas, ["cut", " off"], "the text before the cut is still streamed");
    });
  });

  const badRequest = { message: "'messages' must contain at least one message", type: "invalid_request_error", param: "messages", code: null };
  const permission = { message: "You are not allowed to sample from this model", type: "invalid_request_error", param: null, code: "model_not_allowed" };
  const unprocessable = { message: "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096", type: "invalid_request_error", param: null, code: null };
  type Outcome = { code: "LG_ERR_CHAT_FAILED" | "LG_ERR_CHAT_REJECTED"; retryable: boolean };
  const failed: Outcome = { code: "LG_ERR_CHAT_FAILED", retryable: true };
  const rejected: Outcome = { code: "LG_ERR_CHAT_REJECTED", retryable: false };
  const httpErrors: { name: string; reply: ScriptedReply; status: number; mentions: RegExp; outcome: Outcome }[] = [
    { name: "400 invalid_request_error", reply: { status: 400, error: badRequest }, status: 400, mentions: /must contain at least one message/, outcome: rejected },
    { name: "401 invalid_api_key", reply: { status: 401, error: OPENAI_ERRORS.invalidApiKey("sk-test-***CRET") }, status: 401, mentions: /Incorrect API key/, outcome: rejected },
    { name: "403 model_not_allowed", reply: { status: 403, error: permission }, status: 403, mentions: /not allowed to sample/, outcome: rejected },
    { name: "404 model_not_found", reply: { status: 404, error: OPENAI_ERRORS.modelNotFound("gpt-test-mini") }, status: 404, mentions: /does not exist/, outcome: rejected },
    { name: "422 unprocessable", reply: { status: 422, error: unprocessable }, status: 422, mentions: /Input validation error/, outcome: rejected },
    { name: "429 rate_limit_exceeded", reply: { status: 429, error: OPENAI_ERRORS.rateLimited("gpt-test-mini"), headers: { "retry-after": "20" } }, status: 429, mentions: /Rate limit reached/, outcome: failed },
    { name: "500 server_error", reply: { status: 500, error: OPENAI_ERRORS.server() }, status: 500, mentions: /server had an error/, outcome: failed },
    { name: "503 server_error", reply: { status: 503, error: OPENAI_ERRORS.server() }, status: 503, mentions: /server had an error/, outcome: failed },
  ];
  for (const c of httpErrors) {
    it(`turns HTTP ${c.name} into ${c.outcome.code} (retryable: ${c.outcome.retryable}) saying what the server answered`, async () => {
      await withServer(async (s) => {
        s.script(c.reply);
        const p = new OpenAIProvider({ baseUrl: s.baseUrl, apiKey: API_KEY, model: "gpt-test-mini", timeoutMs: 5000 });
        const err = await expectFailure(p.stream(ask("hi")), c.name);
        assert.equal(err.code, c.outcome.code, `${c.name}: code`);
        assert.equal(err.retryable, c.outcome.retryable, `${c.name}: retryable`);
        assert.ok(err.message.includes(String(c.status)), `${c.name}: the message should name the status ${c.status}: ${err.message}`);
        assert.match(err.message, c.mentions, `${c.name}: the message should carry the server's explanation: ${err.message}`);
        assert.ok(!err.message.includes(API_KEY), `${c.name}: the message must not contain the API key: ${err.message}`);
        assert.equal(s.requests.length, 1, `${c.name}: the provider should not retry on its own`);
      });
    });
  }

  it("names the OpenAI error code (e.g. rate_limit_exceeded) in the message", async () => {
    await withServer(async (s) => {
      s.script({ status: 429, error: OPENAI_ERRORS.rateLimited("gpt-test-mini") });
      const p = new OpenAIProvider({ baseUrl: s.baseUrl, timeoutMs: 5000 });
      const err = await expectFailure(p.stream(ask("hi")), "429");
      assert.match(err.message, /rate_limit_exceeded/, `the message should name the error code: ${err.message}`);
      assert.doesNotMatch(err.message, /429: 429/, `the status should not be repeated: ${err.message}`);
    });
  });

  it("passes on a 429's retry-after as the error's retry advice", async () => {
    await withServer(async (s) => {
      s.script({ status: 429, error: OPENAI_ERRORS.rateLimited("gpt-test-mini"), headers: { "retry-after": "20" } }, { status: 500 });
      const p = new OpenAIProvider({ baseUrl: s.baseUrl, timeoutMs: 5000 });
      const limited = await expectFailure(p.stream(ask("hi")), "429 with retry-after");
      assert.equal(limited.retryAfterSec, 20, "retry_after from the header");
      assert.equal(limited.retryable, true, "a rate limit is worth retrying");
      const failed = await expectFailure(p.stream(ask("hi")), "500");
      assert.equal(failed.retryAfterSec, undefined, "no retry_after without the header");
    });
  });

  it("never puts the API key in the message, even when the server echoes it back", async () => {
    await withServer(async (s) => {
      s.script({ status: 401, error: OPENAI_ERRORS.invalidApiKey(API_KEY) });
      const p = new OpenAIProvider({ baseUrl: s.baseUrl, apiKey: API_KEY, timeoutMs: 5000 });
      const err = await expectFailure(p.stream(ask("hi")), "401 echoing the key");
      assert.ok(!err.message.includes(API_KEY), `the message must not contain the API key: ${err.message}`);
      assert.match(err.message, /401/, `the message should still say 401: ${err.message}`);
    });
  });

  it("gives up with a clear error when the server does not answer within timeoutMs", async () => {
    await withServer(async (s) => {
      s.script({ hang: "headers" });
      const p = new OpenAIProvider({ baseUrl: s.baseUrl, timeoutMs: 150 });
      const started = Date.now();
      const err = await expectFailure(p.stream(ask("hi")), "hang before headers");
      const took = Date.now() - started;
      assert.equal(err.code, "LG_ERR_CHAT_FAILED", "code");
      assert.equal(err.retryable, true, "a timeout, a broken stream or an unreachable server is worth retrying");
      assert.match(err.message, /in time|timed out|timeout/i, `the message should say it timed out: ${err.message}`);
      assert.match(err.message, /150 ms/, `the message should say how long it waited: ${err.message}`);
      assert.ok(took < 2000, `the timeout should fire after about 150 ms, took ${took} ms`);
    });
  });

  it("gives up with a clear error when the stream stalls mid-answer for timeoutMs", async () => {
    await withServer(async (s) => {
      s.script({ deltas: ["one", " two", " three"], hang: 1 });
      const p = new OpenAIProvider({ baseUrl: s.baseUrl, timeoutMs: 200 });
      const started = Date.now();
      const deltas: string[] = [];
      let failure: unknown;
      try {
        for await (const ev of p.stream(ask("hi"))) if (ev.type === "delta") deltas.push(ev.text);
      } catch (err) {
        failure = err;
      }
      const took = Date.now() - started;
      assert.ok(failure instanceof GatewayError, `a stalled stream should fail with a GatewayError, got ${String(failure)} after ${took} ms`);
      assert.equal(failure.code, "LG_ERR_CHAT_FAILED", "code");
      assert.equal(failure.retryable, true, "a timeout, a broken stream or an unreachable server is worth retrying");
      assert.match(failure.message, /in time|timed out|timeout|stalled|no data/i, `the message should say the stream stalled: ${failure.message}`);
      assert.deepEqual(deltas, ["one"], "the delta before the stall is still streamed");
      assert.ok(took < 2000, `the stall should be detected after about 200 ms, took ${took} ms`);
      await s.last.closed;
      assert.equal(s.last.abortedByClient, true, "the stalled HTTP request should be aborted");
    });
  });

  it("keeps a slow but steady stream alive past timeoutMs", async () => {
    await withServer(async (s) => {
      // Gaps a quarter of timeoutMs, the whole answer twice it: margins a loaded CI machine cannot eat.
      s.script({ deltas: ["a", "b", "c", "d", "e", "f"], delayMs: 100 });
      const p = new OpenAIProvider({ baseUrl: s.baseUrl, timeoutMs: 400 });
      const got = await collect(p.stream(ask("hi")));
      assert.equal(got.deltas.join(""), "abcdef", "every delta should arrive although the whole answer took longer than timeoutMs");
      assert.equal(got.done?.finishReason, "stop", "finishReason");
    });
  });

  it("does not time out while the consumer is slow to take the deltas", async () => {
    await withServer(async (s) => {
      s.script({ deltas: ["a", "b", "c"] });
      const p = new OpenAIProvider({ baseUrl: s.baseUrl, timeoutMs: 300 });
      const deltas: string[] = [];
      for await (const ev of p.stream(ask("hi"))) {
        if (ev.type === "delta") {
          deltas.push(ev.text);
          await new Promise((r) => setTimeout(r, 450));
        }
      }
      assert.equal(deltas.join(""), "abc", "a consumer slower than timeoutMs should still get the whole answer");
    });
  });

  it("ends promptly with finishReason cancelled when the signal aborts mid-stream, and aborts the HTTP request", async () => {
    await withServer(async (s) => {
      s.script({ deltas: Array.from({ length: 50 }, (_, i) => `w${i} `), delayMs: 20 });
      const p = new OpenAIProvider({ baseUrl: s.baseUrl, timeoutMs: 5000 });
      const ac = new AbortController();
      let abortedAt = 0;
      const got = await collect(p.stream(ask("hi", { signal: ac.signal })), (n) => {
        if (n === 3) {
          abortedAt = Date.now();
          ac.abort();
        }
      });
      const took = Date.now() - abortedAt;
      assert.ok(took < 200, `the stream should end promptly after the abort, took ${took} ms`);
      assert.equal(got.done?.finishReason, "cancelled", `finishReason after an abort: ${JSON.stringify(got.done)}`);
      assert.ok(got.deltas.length <= 4, `no more deltas after the abort, got ${got.deltas.length}`);
      assert.ok(got.done!.usage.completionTokens > 0, "the usage of what was produced should still be reported");
      await s.last.closed;
      assert.equal(s.last.abortedByClient, true, "the server should see the request closed before the response finished");
    });
  });

  it("ends with finishReason cancelled when the signal is aborted before the request", async () => {
    await withServer(async (s) => {
      const p = new OpenAIProvider({ baseUrl: s.baseUrl, timeoutMs: 5000 });
      const ac = new AbortController();
      ac.abort();
      const got = await collect(p.stream(ask("hi", { signal: ac.signal })));
      assert.equal(got.done?.finishReason, "cancelled", "finishReason");
      assert.deepEqual(got.deltas, [], "no deltas");
    });
  });

  it("fails when the server drops the connection mid-stream", async () => {
    await withServer(async (s) => {
      s.script({ deltas: ["partial", " answer", " never finished"], disconnectAfter: 2 });
      const p = new OpenAIProvider({ baseUrl: s.baseUrl, timeoutMs: 5000 });
      const err = await expectFailure(p.stream(ask("hi")), "mid-stream disconnect");
      assert.equal(err.code, "LG_ERR_CHAT_FAILED", "code");
      assert.equal(err.retryable, true, "a timeout, a broken stream or an unreachable server is worth retrying");
      assert.match(err.message, /stream|connection|closed|terminated/i, `the message should say the stream broke: ${err.message}`);
      assert.doesNotMatch(err.message, /could not be reached/, `the server was reached; the message should not say otherwise: ${err.message}`);
    });
  });

  it("fails when the server ends the stream without a finish_reason", async () => {
    await withServer(async (s) => {
      s.script({ deltas: ["partial"], disconnectAfter: 1 });
      const p = new OpenAIProvider({ baseUrl: s.baseUrl, timeoutMs: 5000 });
      const err = await expectFailure(p.stream(ask("hi")), "disconnect after the last delta");
      assert.equal(err.code, "LG_ERR_CHAT_FAILED", "code");
      assert.equal(err.retryable, true, "a timeout, a broken stream or an unreachable server is worth retrying");
    });
  });

  it("fails with the server's message when it sends an error event mid-stream", async () => {
    await withServer(async (s) => {
      s.script({ deltas: ["a", "b", "c"], streamErrorAfter: 1 });
      const p = new OpenAIProvider({ baseUrl: s.baseUrl, timeoutMs: 5000 });
      const err = await expectFailure(p.stream(ask("hi")), "error event");
      assert.equal(err.code, "LG_ERR_CHAT_FAILED", "code");
      assert.equal(err.retryable, true, "a timeout, a broken stream or an unreachable server is worth retrying");
      assert.match(err.message, /server had an error/, `the message should carry the server's explanation: ${err.message}`);
    });
  });

  it("fails clearly when nothing listens at the base URL", async () => {
    const s = await OpenAITestServer.start();
    const baseUrl = s.baseUrl;
    await s.close();
    const p = new OpenAIProvider({ baseUrl, apiKey: API_KEY, timeoutMs: 2000 });
    const err = await expectFailure(p.stream(ask("hi")), "connection refused");
    assert.equal(err.code, "LG_ERR_CHAT_FAILED", "code");
    assert.equal(err.retryable, true, "a timeout, a broken stream or an unreachable server is worth retrying");
    assert.match(err.message, /could not be reached|connect/i, `the message should say the server could not be reached: ${err.message}`);
    assert.ok(!err.message.includes(API_KEY), "no API key in the message");
  });
});
