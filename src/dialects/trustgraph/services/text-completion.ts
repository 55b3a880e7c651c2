import type { TgBody, TgCall, TgService } from "../service.js";
import { modelOf, responseFrames, textField, usageKeys } from "./ai.js";

/**
 * `text-completion` (flow-hosted): `{system, prompt, streaming}` completed by the configured chat
 * provider, no session. Streaming: `{response: delta, end-of-stream: false}` per delta, then
 * `{response: "", in-token, out-token, model, end-of-stream: true}`; otherwise one
 * `{response, in-token, out-token, model, end-of-stream: true}`. Cancelling stops the provider.
 */
export const textCompletionService: TgService = {
  kind: "text-completion",
  scope: "flow",
  async *handle(call: TgCall): AsyncGenerator<TgBody> {
    // The real translator requires both keys; an absent system prompt is taken as empty here.
    const system = textField(call, "system") ?? "";
    const prompt = textField(call, "prompt", true);
    yield* responseFrames(call, call.app.chat.generation.complete({ system, prompt, model: modelOf(call), signal: call.signal }), "text-completion", usageKeys);
  },
};
