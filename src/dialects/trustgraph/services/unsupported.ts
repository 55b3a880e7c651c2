import { TgError, type TgBody, type TgService } from "../service.js";

/**
 * Flow-hosted services the seed names that livegate does not serve, and why. Each is registered so a
 * client gets a clear `not-configured` error naming the service, not `unknown-service` for a name the
 * seed documents. docs/protocol-trustgraph.md lists them.
 */
export const UNSUPPORTED_SERVICES: Readonly<Record<string, string>> = {
  "graph-embeddings": "it queries a vector store of graph-entity embeddings, and livegate keeps none",
  "document-embeddings": "it queries a vector store of document-chunk embeddings, and livegate keeps none; use document-rag, which searches the librarian's documents by text",
  objects: "it queries structured objects extracted into a rows store, and livegate has no object extraction",
  "nlp-query": "it turns questions into GraphQL over extracted objects, and livegate has no object extraction",
  "structured-query": "it answers questions over extracted structured objects, and livegate has no object extraction",
  "mcp-tool": "it calls tools of configured MCP servers, and livegate configures none",
  "structured-diag": "it diagnoses structured-data schemas for object extraction, which livegate does not do",
};

const unsupported = (kind: string, why: string): TgService => ({
  kind,
  scope: "flow",
  // eslint-disable-next-line require-yield -- answers with an error only
  async *handle(): AsyncGenerator<TgBody> {
    throw new TgError("not-configured", `service "${kind}" is not available in livegate: ${why}`);
  },
});

/** One stub per unsupported service. */
export const unsupportedServices: readonly TgService[] = Object.entries(UNSUPPORTED_SERVICES).map(([kind, why]) => unsupported(kind, why));
