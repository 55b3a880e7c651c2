import type { CollectionRecord, CollectionStore } from "../engines/store/store.js";
import { KnowledgeError } from "./knowledge-error.js";
import type { LibraryService } from "./library.js";
import type { TriplesService } from "./triples.js";

export type { CollectionRecord } from "../engines/store/store.js";

/** What deleting a collection removed. */
export interface CollectionDeletion {
  /** Triples of the collection (all sources). */
  triples: number;
  /** Processings into the collection. */
  processings: number;
  /** Documents added to the collection, which now belong to none (the documents themselves stay). */
  documents: number;
}

/**
 * Collections: named sets of data (triples; document membership for document-rag) with metadata.
 * Collection names are one namespace shared by all users; `user` records who created a collection and
 * filters listings. A collection is created by {@link CollectionService.update} or implicitly when data
 * lands in it (a loaded core, a processed or loaded document).
 */
export class CollectionService {
  constructor(
    private readonly store: CollectionStore,
    private readonly triples: TriplesService,
    private readonly library: LibraryService,
  ) {}

  /**
   * Collections sorted by name: a user's, or all when `user` is undefined; with `tagFilter`, only those
   * having at least one of the tags; at most `limit`.
   */
  async list(opts: { user?: string | undefined; tagFilter?: readonly string[] | undefined; limit?: number | undefined } = {}): Promise<CollectionRecord[]> {
    let all = await this.store.list(opts.user);
    const tags = opts.tagFilter;
    if (tags && tags.length > 0) all = all.filter((c) => c.tags.some((t) => tags.includes(t)));
    return opts.limit === undefined ? all : all.slice(0, Math.max(0, opts.limit));
  }

  /** Creates a collection or updates the fields given. */
  update(c: { collection: string; user: string; name?: string | undefined; description?: string | undefined; tags?: readonly string[] | undefined }): Promise<CollectionRecord> {
    return this.store.upsert(c);
  }

  get(collection: string): Promise<CollectionRecord | undefined> {
    return this.store.get(collection);
  }

  /**
   * Deletes a collection: its metadata, every triple in it, the processings into it, and the membership
   * of documents added to it (the documents stay in the library).
   * @throws KnowledgeError notFound when there is no such collection and no data in it
   */
  async delete(collection: string): Promise<CollectionDeletion> {
    const existed = await this.store.remove(collection);
    const triples = await this.triples.removeCollection(collection);
    const { processings, documents } = await this.library.dropCollection(collection);
    if (!existed && triples + processings + documents === 0) throw new KnowledgeError("notFound", `collection "${collection}" not found`);
    return { triples, processings, documents };
  }
}
