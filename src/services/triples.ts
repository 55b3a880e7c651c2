import type { TermRecord, TriplePattern, TripleRecord, TripleStore } from "../engines/store/store.js";

export type { TermKind, TermPattern, TermRecord, TriplePattern, TripleRecord } from "../engines/store/store.js";

/** The collection used when a request names none (TrustGraph's default). */
export const DEFAULT_COLLECTION = "default";

/** An entity found for a text query, with how many of the query's words matched it. */
export interface EntityMatch {
  entity: TermRecord;
  /** Distinct query words found in the entity's IRI or in a literal said about it. */
  score: number;
  /** Those words, lower-case. */
  words: string[];
}

/** Words of a query worth matching: letters and digits, three or more, lower-case, each once. */
export function queryWords(text: string): string[] {
  const words = (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => [...w].length >= 3);
  return [...new Set(words)];
}

/**
 * The triples of every collection: what TrustGraph's `triples` service queries and graph-rag walks.
 * Triples arrive through knowledge cores (`load-kg-core`) and the metadata of loaded text; each load is a
 * source, removed as a whole by unloading it.
 */
export class TriplesService {
  constructor(private readonly store: TripleStore) {}

  /**
   * Triples of `collection` matching `pattern` (absent s, p or o match anything; a term's `kind`, when
   * given, must match too), each once, at most `limit`. Served from an index for every pattern shape.
   */
  match(collection: string, pattern: TriplePattern, limit: number): Promise<TripleRecord[]> {
    return this.store.match(collection, pattern, Math.max(0, Math.floor(limit)));
  }

  /** Adds `triples` to `collection` as coming from `source`; returns how many were new. */
  add(collection: string, source: string, triples: readonly TripleRecord[]): Promise<number> {
    return this.store.add(collection, source, triples);
  }

  /** Removes what `source` brought to one collection, or to all. */
  removeSource(source: string, collection?: string): Promise<number> {
    return this.store.removeSource(source, collection);
  }

  /** Removes every triple of a collection. */
  removeCollection(collection: string): Promise<number> {
    return this.store.removeCollection(collection);
  }

  /** Collections that hold triples. */
  collections(): Promise<string[]> {
    return this.store.collections();
  }

  /**
   * Entities of `collection` that a text query is about (graph-rag's starting points): for each query
   * word, the subjects of triples whose subject IRI or object contains it, and object IRIs that contain
   * it. Best first (most words matched, then by IRI), at most `limit`. Matching is a case-insensitive
   * substring search (for non-ASCII letters: lower case, Capitalized or UPPER case).
   */
  async findEntities(collection: string, text: string, limit: number): Promise<EntityMatch[]> {
    const words = queryWords(text);
    const found = new Map<string, { entity: TermRecord; words: Set<string> }>();
    const note = (entity: TermRecord, word: string) => {
      const key = `${entity.kind}:${entity.value}`;
      const e = found.get(key) ?? { entity, words: new Set<string>() };
      e.words.add(word);
      found.set(key, e);
    };
    for (const word of words) {
      for (const t of await this.store.containing(collection, word, Math.max(limit * 20, 200))) {
        if (t.s.value.toLowerCase().includes(word) || t.o.kind === "l") note(t.s, word);
        if (t.o.kind !== "l" && t.o.value.toLowerCase().includes(word)) note(t.o, word);
      }
    }
    return [...found.values()]
      .map((e) => ({ entity: e.entity, score: e.words.size, words: [...e.words].sort() }))
      .sort((a, b) => b.score - a.score || a.entity.value.localeCompare(b.entity.value))
      .slice(0, limit);
  }
}
