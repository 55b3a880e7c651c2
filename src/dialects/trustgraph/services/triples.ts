import type { TriplePattern } from "../../../services/triples.js";
import { TgError, type TgBody, type TgCall, type TgReplies, type TgService } from "../service.js";
import { collectionIn, countIn, knowledgeReplies } from "./knowledge-args.js";
import { termOf, wireTriple } from "./terms.js";

/** TrustGraph's defaults (the triples query translator). */
export const TRIPLES_DEFAULT_LIMIT = 10000;
export const TRIPLES_DEFAULT_BATCH = 20;

function patternOf(req: TgBody): TriplePattern {
  const pattern: TriplePattern = {};
  for (const pos of ["s", "p", "o"] as const) {
    const v = req[pos];
    if (v !== undefined && v !== null && v !== "") pattern[pos] = termOf(v, pos);
  }
  return pattern;
}

async function* answer(call: TgCall): TgReplies {
  const req = call.request;
  const pattern = patternOf(req);
  const limit = countIn(req, "limit", TRIPLES_DEFAULT_LIMIT);
  const batch = countIn(req, "batch-size", TRIPLES_DEFAULT_BATCH);
  if (batch === 0) throw new TgError("invalid-request", `"batch-size" must be at least 1`);
  const found = (await call.app.triples.match(collectionIn(req), pattern, limit)).map(wireTriple);
  if (!call.streaming || found.length <= batch) {
    yield { response: found };
    return;
  }
  for (let i = 0; i < found.length; i += batch) {
    if (call.signal.aborted) return;
    yield { response: found.slice(i, i + batch) };
  }
}

/**
 * `triples` (flow-hosted): `{s?, p?, o?, limit, collection, streaming, batch-size}` pattern queries over
 * a collection's triples; terms in the seed form `{"v", "e"}` or v2's `{"t", …}`; answers
 * `{response: [{s, p, o}]}`, in batches of `batch-size` when streaming.
 */
export const triplesService: TgService = {
  kind: "triples",
  scope: "flow",
  handle(call) {
    return knowledgeReplies(answer(call));
  },
};
