import { GatewayError, isChatFailure } from "../../../core/errors.js";
import type { ChatSource } from "../../../engines/chat/provider.js";
import type { GenerationEvent } from "../../../services/chat/generation.js";
import { TgError, type TgBody, type TgCall } from "../service.js";

/**
 * What the AI services (text-completion, prompt, agent, document-rag, graph-rag) share: reading request
 * fields, the model a flow picks, turning provider failures into TrustGraph errors, and streaming an
 * answer as `{response, end-of-stream}` frames.
 */

/** A required or optional string field of the request; a wrong type is an `invalid-request`. */
export function textField(call: TgCall, key: string, required: true): string;
export function textField(call: TgCall, key: string, required?: false): string | undefined;
export function textField(call: TgCall, key: string, required = false): string | undefined {
  const v = call.request[key];
  if (v === undefined || v === null) {
    if (required) throw new TgError("invalid-request", `"${key}" is required (a string)`);
    return undefined;
  }
  if (typeof v !== "string") throw new TgError("invalid-request", `"${key}" must be a string`);
  if (required && v.trim() === "") throw new TgError("invalid-request", `"${key}" must not be empty`);
  return v;
}

/** An integer field in [min, max], or `def` when absent; numeric strings are accepted (the real translators call int()). */
export function intField(call: TgCall, key: string, def: number, min: number, max: number): number {
  const v = call.request[key];
  if (v === undefined || v === null) return def;
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
    throw new TgError("invalid-request", `"${key}" must be an integer from ${min} to ${max}`);
  }
  return n;
}

/**
 * The model a flow asks for: its `model` parameter when that names a model livegate is configured with
 * (`--llm-model`, `--llm-models`), else the default model. A flow started for another deployment's model
 * still works, with the default one.
 */
export function modelOf(call: TgCall): string | undefined {
  const wanted = call.flow?.parameters.model;
  return wanted !== undefined && call.app.chat.generation.models.includes(wanted) ? wanted : undefined;
}

/** A provider failure as the error the client sees: what failed, and why (never a stack). */
export function aiError(err: unknown, service: string): unknown {
  if (err instanceof TgError) return err;
  if (err instanceof GatewayError) {
    if (err.code === "LG_ERR_MODEL_UNKNOWN") return new TgError("invalid-request", `${service}: ${err.message}`);
    if (isChatFailure(err.code)) return new TgError("error", `${service}: ${err.message}`);
  }
  return err;
}

/** What a finished generation reports. */
export interface GenerationResult {
  text: string;
  sources: ChatSource[];
  usage: { promptTokens: number; completionTokens: number };
  model: string;
  cancelled: boolean;
}

/**
 * Runs a generation to its end (`const result = yield* drive(…)`), yielding `frameOf(delta)` for each
 * delta when `frameOf` is given (a streaming call) and nothing otherwise. Provider failures become
 * TgErrors named after `service`.
 */
export async function* drive(
  events: AsyncIterable<GenerationEvent>,
  service: string,
  frameOf?: (delta: string) => TgBody,
): AsyncGenerator<TgBody, GenerationResult> {
  let sources: ChatSource[] = [];
  try {
    for await (const ev of events) {
      if (ev.type === "delta") {
        if (frameOf) yield frameOf(ev.text);
      }
      else if (ev.type === "sources") sources = ev.sources;
      else return { text: ev.text, sources, usage: ev.usage, model: ev.model, cancelled: ev.finishReason === "cancelled" };
    }
  } catch (err) {
    throw aiError(err, service);
  }
  throw new TgError("error", `${service}: the model ended without an answer`);
}

/** Token counts and model, in TrustGraph's keys. */
export const usageKeys = (r: GenerationResult): TgBody => ({
  "in-token": r.usage.promptTokens,
  "out-token": r.usage.completionTokens,
  model: r.model,
});

/** Sources in v2 graph-rag's shape: `{uri, title}` (the uri is the document id or the entity URI). */
export const sourceKeys = (sources: readonly ChatSource[]): { uri: string; title: string }[] => sources.map((s) => ({ uri: s.id, title: s.title }));

/**
 * A generation as TrustGraph `{response, end-of-stream}` frames: streaming, one `{response: delta,
 * end-of-stream: false}` per delta and a last `{response: "", end-of-stream: true, …final}`; otherwise one
 * body with the whole `response` and the same keys. `final` gives the last body's other keys. A cancelled
 * call yields nothing more.
 */
export async function* responseFrames(
  call: TgCall,
  events: AsyncIterable<GenerationEvent>,
  service: string,
  final: (result: GenerationResult) => TgBody,
): AsyncGenerator<TgBody> {
  const result = yield* drive(events, service, call.streaming ? (delta) => ({ response: delta, "end-of-stream": false }) : undefined);
  if (result.cancelled || call.signal.aborted) return;
  yield { response: call.streaming ? "" : result.text, "end-of-stream": true, ...final(result) };
}

/** A RAG answer: `responseFrames` whose last body carries `sources`, `in-token`, `out-token` and `model`. */
export const ragFrames = (call: TgCall, events: AsyncIterable<GenerationEvent>, service: string): AsyncGenerator<TgBody> =>
  responseFrames(call, events, service, (r) => ({ sources: sourceKeys(r.sources), ...usageKeys(r) }));

/** A fixed answer (nothing to search, so no model is asked) in the same frames as `ragFrames`. */
export function* plainAnswer(call: TgCall, text: string): Generator<TgBody> {
  if (call.streaming) yield { response: text, "end-of-stream": false };
  const model = modelOf(call) ?? call.app.chat.generation.defaultModel;
  yield { response: call.streaming ? "" : text, "end-of-stream": true, sources: [], "in-token": 0, "out-token": 0, model };
}
