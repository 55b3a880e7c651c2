import type { ContextPassage } from "../../../services/chat/generation.js";
import type { AppContext } from "../../../services/context.js";
import type { TermRecord, TripleRecord } from "../../../services/triples.js";
import type { TgBody, TgCall, TgService } from "../service.js";
import { intField, modelOf, plainAnswer, ragFrames, textField } from "./ai.js";
import { collectionOf } from "./document-rag.js";

/** Labels looked up for entities at the edge of a subgraph, at most. */
const MAX_LABEL_LOOKUPS = 200;
const LABEL_PREDICATES = new Set(["http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel", "http://schema.org/name"]);

/** How far graph-rag walks from the entities a query names. */
export interface SubgraphLimits {
  /** Starting entities. @default 50 */
  entityLimit: number;
  /** Triples read per entity and direction at each step. @default 30 */
  tripleLimit: number;
  /** Triples in the whole subgraph. @default 1000 */
  maxSubgraphSize: number;
  /** Steps from a starting entity. @default 2 */
  maxPathLength: number;
}

/** The readable part of an IRI: after the last `#` or `/`, camelCase and `_`/`-` split into words. */
export function localName(iri: string): string {
  const tail = iri.replace(/[#/]+$/u, "").split(/[#/]/u).at(-1) ?? iri;
  let decoded = tail;
  try {
    decoded = decodeURIComponent(tail);
  } catch {
    // not percent-encoded text: keep it as it is
  }
  return decoded
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, "$1 $2")
    .replace(/[_-]+/gu, " ")
    .trim() || iri;
}

/**
 * The subgraph around the entities `query` names (H2's `findEntities`: IRIs and literals containing
 * the query's words), walked breadth-first along triples in both directions up to `maxPathLength` steps,
 * at most `maxSubgraphSize` triples, and rendered as passages: one per subject, its facts as sentences
 * ("Alice knows Bob."), labels from rdfs:label / skos:prefLabel / schema:name or the IRI's local name.
 * Subjects the query named come first, with the words that matched as their terms.
 */
export async function graphPassages(app: AppContext, collection: string, query: string, limits: SubgraphLimits): Promise<ContextPassage[]> {
  const matches = await app.triples.findEntities(collection, query, limits.entityLimit);
  if (matches.length === 0) return [];
  const key = (t: TermRecord) => `${t.kind}:${t.value}`;
  const triples = new Map<string, TripleRecord>();
  const seen = new Set(matches.map((m) => key(m.entity)));
  let frontier = matches.map((m) => m.entity);
  for (let step = 0; step < limits.maxPathLength && frontier.length > 0 && triples.size < limits.maxSubgraphSize; step++) {
    const next: TermRecord[] = [];
    for (const entity of frontier) {
      const around = [
        ...(await app.triples.match(collection, { s: entity }, limits.tripleLimit)),
        // Literals are never subjects, and a literal object says nothing more than its triple.
        ...(entity.kind === "l" ? [] : await app.triples.match(collection, { o: entity }, limits.tripleLimit)),
      ];
      for (const t of around) {
        if (triples.size >= limits.maxSubgraphSize) break;
        triples.set(`${key(t.s)} ${key(t.p)} ${key(t.o)}`, t);
        for (const end of [t.s, t.o]) {
          if (end.kind !== "l" && !seen.has(key(end))) {
            seen.add(key(end));
            next.push(end);
          }
        }
      }
    }
    frontier = next;
  }

  const labels = new Map<string, string>();
  for (const t of triples.values()) {
    if (LABEL_PREDICATES.has(t.p.value) && t.o.kind === "l" && !labels.has(t.s.value)) labels.set(t.s.value, t.o.value);
  }
  // Entities at the edge of the walk: their labels are read too (not counted in the subgraph's size).
  const unlabelled = new Set<string>();
  for (const t of triples.values()) for (const end of [t.s, t.o]) if (end.kind === "i" && !labels.has(end.value)) unlabelled.add(end.value);
  for (const value of [...unlabelled].slice(0, MAX_LABEL_LOOKUPS)) {
    for (const p of LABEL_PREDICATES) {
      const [found] = await app.triples.match(collection, { s: { value, kind: "i" }, p: { value: p, kind: "i" } }, 1);
      if (found && found.o.kind === "l") {
        labels.set(value, found.o.value);
        break;
      }
    }
  }
  const label = (t: TermRecord): string => (t.kind === "l" ? t.value : (labels.get(t.value) ?? localName(t.value)));
  // A predicate reads as a verb: "worksFor" → "works for".
  const verb = (t: TermRecord): string => labels.get(t.value) ?? localName(t.value).toLowerCase();

  const bySubject = new Map<string, { subject: TermRecord; facts: string[] }>();
  for (const t of triples.values()) {
    if (LABEL_PREDICATES.has(t.p.value)) continue;
    const entry = bySubject.get(t.s.value) ?? { subject: t.s, facts: [] };
    entry.facts.push(`${label(t.s)} ${verb(t.p)} ${label(t.o)}.`);
    bySubject.set(t.s.value, entry);
  }
  const named = new Map(matches.map((m) => [m.entity.value, m]));
  return [...bySubject.values()]
    .map(({ subject, facts }) => {
      const m = named.get(subject.value);
      return { id: subject.value, title: label(subject), text: facts.join("\n"), score: m ? 1 + m.score : 0.5, terms: m?.words ?? [] };
    })
    .sort((a, b) => b.score - a.score);
}

/** The subgraph limits of a request (the real translator's keys and defaults). */
export function limitsOf(call: TgCall): SubgraphLimits {
  return {
    entityLimit: intField(call, "entity-limit", 50, 1, 1000),
    tripleLimit: intField(call, "triple-limit", 30, 1, 10_000),
    maxSubgraphSize: intField(call, "max-subgraph-size", 1000, 1, 100_000),
    maxPathLength: intField(call, "max-path-length", 2, 1, 5),
  };
}

/** What graph-rag answers when a collection holds no triples. */
export const noGraphAnswer = (collection: string): string =>
  `There is no knowledge graph in collection "${collection}" to answer from yet. Load triples with the knowledge ` +
  "service's put-kg-core and load-kg-core operations, then ask again.";

/**
 * `graph-rag` (flow-hosted): `{query, collection, entity-limit, triple-limit, max-subgraph-size,
 * max-path-length, streaming}` answered from the stored triples of the collection: the entities the query
 * names, the subgraph around them rendered as facts (`graphPassages`), answered as document-rag answers.
 * Frames `{response, end-of-stream}`; the last carries `sources: [{uri, title}]` (the entities whose facts
 * were used).
 */
export const graphRagService: TgService = {
  kind: "graph-rag",
  scope: "flow",
  async *handle(call: TgCall): AsyncGenerator<TgBody> {
    const query = textField(call, "query", true);
    const collection = collectionOf(call);
    const limits = limitsOf(call);
    const { generation } = call.app.chat;
    if (!(await call.app.triples.collections()).includes(collection)) {
      yield* plainAnswer(call, noGraphAnswer(collection));
      return;
    }
    const passages = await graphPassages(call.app, collection, query, limits);
    yield* ragFrames(call, generation.answer({ question: query, passages, model: modelOf(call), signal: call.signal }), "graph-rag");
  },
};
