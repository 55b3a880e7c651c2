import type { ContextPassage } from "../../../services/chat/generation.js";
import type { AppContext } from "../../../services/context.js";
import type { TgBody, TgCall, TgService } from "../service.js";
import { intField, modelOf, plainAnswer, ragFrames, textField } from "./ai.js";

/** The collection a request names, TrustGraph's `default` when none. */
export const collectionOf = (call: TgCall): string => textField(call, "collection") || "default";

/**
 * The best `limit` text documents of `collection` for `query` (the librarian's per-collection search:
 * documents added to the collection, or put in it by a processing; those added without one are in
 * `default`), as passages: whole content (the engine picks sentences, a model's prompt cuts long ones)
 * with the terms that matched.
 */
export async function documentPassages(app: AppContext, collection: string, query: string, limit: number): Promise<ContextPassage[]> {
  const hits = await app.library.search(query, { collection, limit });
  return hits.map((hit) => ({ id: hit.id, title: hit.title, text: hit.content, score: hit.score, terms: hit.terms }));
}

/** What document-rag answers when a collection has nothing to search. */
export const noDocumentsAnswer = (collection: string): string =>
  `There are no documents in collection "${collection}" to answer from yet. Add documents with the librarian's ` +
  "add-document operation (service librarian), then ask again.";

/**
 * `document-rag` (flow-hosted): `{query, collection, doc-limit, streaming}` answered from the librarian's
 * documents of the collection: the best `doc-limit` (default 20) documents by full-text search become the
 * passages the provider answers from (embedded engine: extractive, each sentence prefixed with its
 * document's title; OpenAI-compatible model: the passages in the prompt, asked to cite titles). Frames
 * `{response, end-of-stream}`; the last carries `sources: [{uri, title}]` (uri = document id) and token
 * counts. A collection without documents gets a plain answer saying so.
 */
export const documentRagService: TgService = {
  kind: "document-rag",
  scope: "flow",
  async *handle(call: TgCall): AsyncGenerator<TgBody> {
    const query = textField(call, "query", true);
    const collection = collectionOf(call);
    const limit = intField(call, "doc-limit", 20, 1, 1000);
    const { generation } = call.app.chat;
    if ((await call.app.library.documentIdsIn(collection, { searchableOnly: true })).size === 0) {
      yield* plainAnswer(call, noDocumentsAnswer(collection));
      return;
    }
    const passages = await documentPassages(call.app, collection, query, limit);
    yield* ragFrames(call, generation.answer({ question: query, passages, model: modelOf(call), signal: call.signal }), "document-rag");
  },
};
