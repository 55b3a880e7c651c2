/**
 * A refusal of the knowledge services (library, collections, knowledge cores, triples), with a message
 * meant for the client. `invalid`: the request cannot be served as given (bad content, an id already
 * taken); `notFound`: what it names does not exist for that user. Dialects map the kind to their own
 * error type (TrustGraph: `invalid-request`, `not-found`).
 */
export class KnowledgeError extends Error {
  constructor(
    readonly kind: "invalid" | "notFound",
    message: string,
  ) {
    super(message);
    this.name = "KnowledgeError";
  }
}
