import {
  checkSchema,
  PROMPT_CONFIG_TYPE,
  PromptTemplateError,
  parseJsonAnswer,
  parseSystem,
  parseTemplate,
  renderTemplate,
} from "../../../services/chat/prompts.js";
import { TgError, type TgBody, type TgCall, type TgService } from "../service.js";
import { drive, modelOf, textField, usageKeys } from "./ai.js";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The template's inputs: `variables` (any JSON values, the v2 form) or `terms` (each value a JSON
 * string, the form the real translator hands its prompt service); `variables` wins, as there.
 */
function inputsOf(call: TgCall): Record<string, unknown> {
  const { variables, terms } = call.request;
  if (variables !== undefined && variables !== null) {
    if (!isRecord(variables)) throw new TgError("invalid-request", '"variables" must be an object of name: value');
    return variables;
  }
  if (terms === undefined || terms === null) return {};
  if (!isRecord(terms)) throw new TgError("invalid-request", '"terms" must be an object of name: JSON string');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(terms)) {
    if (typeof v !== "string") throw new TgError("invalid-request", `"terms.${k}" must be a JSON string`);
    try {
      out[k] = JSON.parse(v);
    } catch {
      throw new TgError("invalid-request", `"terms.${k}" is not JSON (terms carry JSON-encoded values; use "variables" for plain ones)`);
    }
  }
  return out;
}

/**
 * `prompt` (flow-hosted): `{id, variables | terms, streaming}`. Template `template.<id>` of config type
 * `prompt` (managed with the `config` service) is filled with the variables, sent with the `system`
 * template to the chat provider, and answered as `{text}` (response-type `text`, streamed as
 * `{text: delta, end-of-stream: false}` frames) or `{object}` (response-type `json`: the answer parsed
 * as JSON, checked against the template's `schema` if it has one, and sent as a JSON string, like the
 * real service; one frame). The last frame carries
 * `end-of-stream: true` and token counts. Unknown template → `not-found`.
 */
export const promptService: TgService = {
  kind: "prompt",
  scope: "flow",
  async *handle(call: TgCall): AsyncGenerator<TgBody> {
    const id = textField(call, "id", true);
    const inputs = inputsOf(call);
    const raw = await call.app.config.get(PROMPT_CONFIG_TYPE, `template.${id}`);
    if (raw === undefined) {
      throw new TgError("not-found", `prompt template "${id}" not found: store it with the config service as type "prompt", key "template.${id}"`);
    }
    let system: string;
    let prompt: string;
    let template;
    try {
      template = parseTemplate(id, raw);
      system = renderTemplate(parseSystem(await call.app.config.get(PROMPT_CONFIG_TYPE, "system")), inputs, "system");
      prompt = renderTemplate(template.prompt, inputs, id);
    } catch (err) {
      if (err instanceof PromptTemplateError) throw new TgError("invalid-request", `prompt: ${err.message}`);
      throw err;
    }

    const streamText = call.streaming && template.responseType === "text";
    const events = call.app.chat.generation.complete({ system, prompt, model: modelOf(call), signal: call.signal });
    const result = yield* drive(events, "prompt", streamText ? (delta) => ({ text: delta, "end-of-stream": false }) : undefined);
    if (result.cancelled || call.signal.aborted) return;
    if (template.responseType === "text") {
      yield { text: streamText ? "" : result.text, ...usageKeys(result), "end-of-stream": true };
      return;
    }
    let object: unknown;
    try {
      object = parseJsonAnswer(result.text);
      if (template.schema !== undefined) checkSchema(id, template.schema, object);
    } catch (err) {
      throw new TgError("error", `prompt "${id}": ${err instanceof Error ? err.message : String(err)}`);
    }
    yield { object: JSON.stringify(object), ...usageKeys(result), "end-of-stream": true };
  },
};
