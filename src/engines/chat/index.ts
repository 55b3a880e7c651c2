import type { ChatOptions } from "../../core/options.js";
import { EmbeddedProvider, type DocumentSearch } from "./embedded.js";
import type { ChatProvider } from "./provider.js";

/**
 * The OpenAI-compatible provider when a base URL is configured, else the embedded engine. The `openai`
 * SDK is loaded only when it is used (it adds ~13 MB to a gateway that does not need it).
 */
export async function createChatProvider(options: ChatOptions, documents: DocumentSearch): Promise<ChatProvider> {
  if (options.baseUrl) {
    const { OpenAIProvider } = await import("./openai.js");
    return new OpenAIProvider({ baseUrl: options.baseUrl, apiKey: options.apiKey, model: options.model, timeoutMs: options.timeoutMs });
  }
  return new EmbeddedProvider(documents);
}
