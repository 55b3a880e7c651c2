import type { CollectionStore, EntityEmbeddingRecord, KnowledgeCoreRecord, KnowledgeCoreStore, TripleRecord } from "../engines/store/store.js";
import { KnowledgeError } from "./knowledge-error.js";
import type { TriplesService } from "./triples.js";

export type { EntityEmbeddingRecord, KnowledgeCoreRecord } from "../engines/store/store.js";

/** Source key of the triples a core brought into collections, so unloading removes exactly them. */
export const coreSource = (user: string, id: string): string => `core:${encodeURIComponent(user)}:${encodeURIComponent(id)}`;

/** Triples (and entities) read per store query when a core is copied or streamed. */
const PAGE = 1000;

/**
 * Knowledge cores: named, per-user sets of triples and graph embeddings (TrustGraph's `knowledge`
 * service). A core is stored data; loading it copies its triples into a collection, where `triples`
 * queries and graph-rag see them; unloading removes them again. Graph embeddings are stored and given
 * back, not searched.
 */
export class KnowledgeService {
  constructor(
    private readonly store: KnowledgeCoreStore,
    private readonly triples: TriplesService,
    private readonly collections: CollectionStore,
  ) {}

  /** Appends triples and entities to a core, creating it. Several puts build a core in batches. */
  put(
    user: string,
    id: string,
    part: { collection?: string | undefined; triples?: readonly TripleRecord[] | undefined; entities?: readonly EntityEmbeddingRecord[] | undefined },
  ): Promise<KnowledgeCoreRecord> {
    return this.store.append(user, id, { collection: part.collection, triples: part.triples ?? [], entities: part.entities ?? [] });
  }

  /** A user's core ids, sorted. */
  list(user: string): Promise<string[]> {
    return this.store.list(user);
  }

  /** @throws KnowledgeError notFound */
  async get(user: string, id: string): Promise<KnowledgeCoreRecord> {
    const core = await this.store.get(user, id);
    if (!core) throw new KnowledgeError("notFound", `knowledge core "${id}" not found`);
    return core;
  }

  /** A core's triples in the order they were put, `size` per batch. */
  async *tripleBatches(user: string, id: string, size: number): AsyncGenerator<TripleRecord[]> {
    let after: number | undefined = 0;
    while (after !== undefined) {
      const page: { items: TripleRecord[]; next: number | undefined } = await this.store.triples(user, id, after, size);
      if (page.items.length > 0) yield page.items;
      after = page.next;
    }
  }

  /** A core's graph-embedding entities in the order they were put, `size` per batch. */
  async *entityBatches(user: string, id: string, size: number): AsyncGenerator<EntityEmbeddingRecord[]> {
    let after: number | undefined = 0;
    while (after !== undefined) {
      const page: { items: EntityEmbeddingRecord[]; next: number | undefined } = await this.store.entities(user, id, after, size);
      if (page.items.length > 0) yield page.items;
      after = page.next;
    }
  }

  /**
   * Deletes a stored core. Triples it already brought into collections stay until it is unloaded.
   * @throws KnowledgeError notFound
   */
  async delete(user: string, id: string): Promise<void> {
    if (!(await this.store.remove(user, id))) throw new KnowledgeError("notFound", `knowledge core "${id}" not found`);
  }

  /**
   * Copies a core's triples into a collection (created if needed); loading again adds nothing twice.
   * Returns how many triples were new in the collection.
   * @throws KnowledgeError notFound
   */
  async load(user: string, id: string, collection: string): Promise<number> {
    await this.get(user, id);
    await this.collections.ensure(collection, user);
    let added = 0;
    for await (const batch of this.tripleBatches(user, id, PAGE)) added += await this.triples.add(collection, coreSource(user, id), batch);
    return added;
  }

  /**
   * Removes the triples a core brought into one collection, or into every collection when none is named.
   * Returns how many went.
   * @throws KnowledgeError notFound when the core does not exist and had nothing loaded
   */
  async unload(user: string, id: string, collection?: string): Promise<number> {
    const removed = await this.triples.removeSource(coreSource(user, id), collection);
    if (removed === 0 && !(await this.store.get(user, id))) throw new KnowledgeError("notFound", `knowledge core "${id}" not found`);
    return removed;
  }
}
