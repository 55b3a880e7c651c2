import type { ChatOptions } from "../../core/options.js";
import { EmbeddedProvider, type DocumentSearch } from "./embedded.js";
import { OpenAIProvider } from "./openai.js";
import type { ChatProvider } from "./provider.js";

/** The OpenAI-compatible provider when a base URL is configured, else the embedded engine. */
export function createChatProvider(options: ChatOptions, documents: DocumentSearch): ChatProvider {
  if (options.baseUrl) {
    return new OpenAIProvider({ baseUrl: options.baseUrl, apiKey: options.apiKey, model: options.model, timeoutMs: options.timeoutMs });
  }
  return new EmbeddedProvider(documents);
}
