import type { EntityEmbeddingRecord } from "../../../services/knowledge.js";
import type { TripleRecord } from "../../../services/triples.js";
import { operationOf, unknownOperation } from "../args.js";
import { TgError, type TgBody, type TgCall, type TgReplies, type TgService } from "../service.js";
import { collectionIn, knowledgeReplies, maybeObject, maybeString, userOf } from "./knowledge-args.js";
import { storedTermOf, triplesOf, wireTerm, wireTriple } from "./terms.js";

const OPERATIONS = ["list-kg-cores", "get-kg-core", "put-kg-core", "delete-kg-core", "load-kg-core", "unload-kg-core"] as const;

/** Triples per streamed `get-kg-core` frame. */
export const CORE_TRIPLES_PER_FRAME = 500;
/** Graph-embedding entities per streamed frame (each carries its vectors). */
export const CORE_ENTITIES_PER_FRAME = 50;

/** The core id of a request: `id`, else the id in the put data's metadata. */
function coreId(req: TgBody, fallback?: Record<string, unknown>): string {
  const id = req.id ?? fallback?.id;
  if (typeof id !== "string" || id === "") throw new TgError("invalid-request", `"id" is required (a non-empty string): the knowledge core's id`);
  return id;
}

function entitiesOf(v: unknown, path: string): EntityEmbeddingRecord[] {
  if (!Array.isArray(v)) throw new TgError("invalid-request", `"${path}" must be an array of {entity, vectors}`);
  return v.map((e, i) => {
    const at = `${path}[${i}]`;
    if (typeof e !== "object" || e === null) throw new TgError("invalid-request", `"${at}" must be {entity, vectors}`);
    const { entity, vectors, vector } = e as Record<string, unknown>;
    // The translators read `vectors` (a list of vectors) and write `vector`; both are accepted.
    const list = vectors ?? (vector === undefined ? undefined : [vector]);
    const ok = Array.isArray(list) && list.every((vec) => Array.isArray(vec) && vec.every((x) => typeof x === "number"));
    if (!ok) throw new TgError("invalid-request", `"${at}.vectors" must be an array of number arrays`);
    return { entity: storedTermOf(entity, `${at}.entity`), vectors: list as number[][] };
  });
}

async function put(call: TgCall): Promise<TgBody> {
  const req = call.request;
  const triples = maybeObject(req, "triples");
  const embeddings = maybeObject(req, "graph-embeddings");
  if (!triples && !embeddings) throw new TgError("invalid-request", `put-kg-core needs "triples" or "graph-embeddings"`);
  const meta = (maybeObject(triples ?? {}, "metadata", "triples.metadata") ?? maybeObject(embeddings ?? {}, "metadata", "graph-embeddings.metadata")) as TgBody | undefined;
  const parsed: TripleRecord[] = triples ? triplesOf(triples.triples ?? [], "triples.triples") : [];
  const entities = embeddings ? entitiesOf(embeddings.entities ?? [], "graph-embeddings.entities") : [];
  const collection = meta ? maybeString(meta, "collection", "triples.metadata.collection") || undefined : undefined;
  const user = userOf(call, req.user ? req : (meta ?? req));
  await call.app.knowledge.put(user, coreId(req, meta), { collection, triples: parsed, entities });
  return {};
}

/**
 * get-kg-core: the core's triples, then its graph embeddings, then `{eos: true}`; streamed in batches
 * when the caller streams, else one body with everything and `eos`.
 */
async function* get(call: TgCall): TgReplies {
  const { knowledge } = call.app;
  const user = userOf(call);
  const id = coreId(call.request);
  const core = await knowledge.get(user, id);
  const metadata = { id, user, collection: core.collection ?? "default" };
  const triples: ReturnType<typeof wireTriple>[] = [];
  const entities: TgBody[] = [];
  for await (const batch of knowledge.tripleBatches(user, id, CORE_TRIPLES_PER_FRAME)) {
    if (call.signal.aborted) return;
    if (call.streaming) yield { triples: { metadata, triples: batch.map(wireTriple) } };
    else triples.push(...batch.map(wireTriple));
  }
  for await (const batch of knowledge.entityBatches(user, id, CORE_ENTITIES_PER_FRAME)) {
    if (call.signal.aborted) return;
    const wire = batch.map((e) => ({ entity: wireTerm(e.entity), vectors: e.vectors }));
    if (call.streaming) yield { "graph-embeddings": { metadata, entities: wire } };
    else entities.push(...wire);
  }
  if (call.streaming) {
    yield { eos: true };
    return;
  }
  yield {
    triples: { metadata, triples },
    ...(entities.length > 0 ? { "graph-embeddings": { metadata, entities } } : {}),
    eos: true,
  };
}

async function* answer(call: TgCall): TgReplies {
  const req = call.request;
  const { knowledge } = call.app;
  const op = operationOf(req);
  switch (op) {
    case "list-kg-cores":
      yield { ids: await knowledge.list(userOf(call)) };
      return;
    case "get-kg-core":
      yield* get(call);
      return;
    case "put-kg-core":
      yield await put(call);
      return;
    case "delete-kg-core":
      await knowledge.delete(userOf(call), coreId(req));
      yield {};
      return;
    case "load-kg-core": {
      const flow = maybeString(req, "flow");
      if (flow && !(await call.app.flows.resolve(flow))) throw new TgError("not-found", `flow "${flow}" is not started`);
      await knowledge.load(userOf(call), coreId(req), collectionIn(req));
      yield {};
      return;
    }
    case "unload-kg-core": {
      const collection = maybeString(req, "collection") || undefined;
      await knowledge.unload(userOf(call), coreId(req), collection);
      yield {};
      return;
    }
    default:
      throw unknownOperation("knowledge", op, OPERATIONS);
  }
}

/**
 * `knowledge` (global): knowledge cores (stored triples and graph embeddings) per user; `load-kg-core`
 * makes a core's triples queryable in a collection (docs/protocol-trustgraph.md, "Knowledge services").
 */
export const knowledgeService: TgService = {
  kind: "knowledge",
  scope: "global",
  handle(call) {
    return knowledgeReplies(answer(call));
  },
};
