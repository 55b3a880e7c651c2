import { TextDecoder } from "node:util";
import { TgError, type TgBody, type TgCall, type TgService } from "../service.js";
import { base64Bytes, collectionIn, knowledgeReplies, maybeString, userOf } from "./knowledge-args.js";
import { triplesOf } from "./terms.js";

/**
 * The text of a text-load request: base64 (what TrustGraph's loaders send), decoded with `charset`
 * (default utf-8). Text with characters outside ASCII cannot be base64 and is taken as it is, as the real
 * server's v2 translator does.
 */
function textOf(req: TgBody): string {
  const raw = req.text;
  if (typeof raw !== "string") throw new TgError("invalid-request", `"text" is required (base64 text)`);
  if (!/^\p{ASCII}*$/u.test(raw)) return raw;
  const charset = maybeString(req, "charset") || "utf-8";
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset, { fatal: true, ignoreBOM: true });
  } catch {
    throw new TgError("invalid-request", `unknown "charset" "${charset}"`);
  }
  try {
    return decoder.decode(base64Bytes(raw, "text"));
  } catch (err) {
    if (err instanceof TgError) throw err;
    throw new TgError("invalid-request", `"text" is not ${charset} text`);
  }
}

/** What text-load and document-load share: id, owner, collection, title, metadata triples. */
export function loadFields(call: TgCall): { id: string | undefined; user: string; collection: string; title: string | undefined; metadata: unknown; triples: ReturnType<typeof triplesOf> } {
  const req = call.request;
  const metadata = req.metadata ?? [];
  return {
    id: maybeString(req, "id") || undefined,
    user: userOf(call),
    collection: collectionIn(req),
    title: maybeString(req, "title") || undefined,
    metadata,
    triples: triplesOf(metadata, "metadata"),
  };
}

/**
 * `text-load` (flow-hosted): `{text: base64, id?, user?, collection?, charset?, metadata?: [triples]}`
 * adds the text to the library (searchable by the chat engine and document-rag, a member of the
 * collection; the same id replaces the earlier text) and its metadata triples to the collection's graph.
 * Answers `{}`.
 */
export const textLoadService: TgService = {
  kind: "text-load",
  scope: "flow",
  handle(call) {
    return knowledgeReplies(
      (async function* () {
        const text = textOf(call.request);
        const f = loadFields(call);
        await call.app.library.add({ ...f, kind: "text/plain", content: Buffer.from(text, "utf8"), replace: true });
        yield {};
      })(),
    );
  },
};
