import type { TgService } from "../service.js";
import { base64Bytes, knowledgeReplies, maybeString } from "./knowledge-args.js";
import { loadFields } from "./text-load.js";

/** The kind of loaded bytes: `kind` of the request, PDF by its signature, else the library's guess. */
function kindOf(kind: string | undefined, bytes: Buffer): string | undefined {
  if (kind) return kind;
  return bytes.subarray(0, 5).toString("latin1") === "%PDF-" ? "application/pdf" : undefined;
}

/**
 * `document-load` (flow-hosted): `{data: base64, id?, user?, collection?, kind?, metadata?: [triples]}`
 * adds the document to the library (text is searchable; a PDF is kept byte-exact, not searched) and its
 * metadata triples to the collection's graph. Answers `{}`.
 */
export const documentLoadService: TgService = {
  kind: "document-load",
  scope: "flow",
  handle(call) {
    return knowledgeReplies(
      (async function* () {
        const bytes = base64Bytes(call.request.data, "data");
        const f = loadFields(call);
        await call.app.library.add({ ...f, kind: kindOf(maybeString(call.request, "kind"), bytes), content: bytes, replace: true });
        yield {};
      })(),
    );
  },
};
