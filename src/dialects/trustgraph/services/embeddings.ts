import { EmbeddingsError } from "../../../services/chat/generation.js";
import { TgError, type TgBody, type TgCall, type TgService } from "../service.js";

/** Texts one request may embed (OpenAI's own limit is 2,048 inputs). */
const MAX_TEXTS = 2048;

/** The texts of a request: the seed's `{text}` or v2's `{texts: [...]}`. */
function textsOf(call: TgCall): string[] {
  const { text, texts } = call.request;
  if (texts !== undefined && texts !== null) {
    if (!Array.isArray(texts) || texts.length === 0 || texts.some((t) => typeof t !== "string" || t === "")) {
      throw new TgError("invalid-request", '"texts" must be a non-empty array of non-empty strings');
    }
    if (texts.length > MAX_TEXTS) throw new TgError("invalid-request", `"texts" may hold at most ${MAX_TEXTS} strings`);
    return texts as string[];
  }
  if (typeof text !== "string" || text === "") throw new TgError("invalid-request", '"text" (a non-empty string) or "texts" (an array of strings) is required');
  return [text];
}

/**
 * `embeddings` (flow-hosted): `{text}` (seed) or `{texts: [...]}` (v2) → `{vectors: [[...], ...]}`, one
 * vector per text, from the OpenAI-compatible embeddings endpoint configured with
 * LIVEGATE_EMBEDDINGS_MODEL. Without one: `not-configured`, naming the settings to set.
 */
export const embeddingsService: TgService = {
  kind: "embeddings",
  scope: "flow",
  async *handle(call: TgCall): AsyncGenerator<TgBody> {
    const texts = textsOf(call);
    try {
      const result = await call.app.chat.generation.embed(texts, call.signal);
      yield { vectors: result.vectors };
    } catch (err) {
      if (!(err instanceof EmbeddingsError)) throw err;
      if (err.reason === "cancelled") return;
      throw new TgError(err.reason === "not-configured" ? "not-configured" : "error", `embeddings: ${err.message}`);
    }
  },
};
