import { randomUUID } from "node:crypto";
import type { CollectionStore, ProcessingRecord, ProcessingStore, TripleRecord } from "../engines/store/store.js";
import { isSearchable, type DocumentHit, type DocumentService, type DocumentView } from "./documents.js";
import { KnowledgeError } from "./knowledge-error.js";
import { DEFAULT_COLLECTION, type TriplesService } from "./triples.js";

/** The user that owns library data when a request names none and the caller is anonymous. */
export const DEFAULT_USER = "trustgraph";

/** A document as TrustGraph's librarian describes it. */
export interface LibraryDocument {
  id: string;
  /** The user the document belongs to. */
  user: string;
  /** MIME type, e.g. `text/plain`, `application/pdf`. */
  kind: string;
  title: string;
  comments: string;
  tags: string[];
  /** The client's `time` (seconds since the epoch). */
  time: number;
  /** Metadata given with the document (TrustGraph: a list of triples), kept exactly as given. */
  metadata: unknown;
  /** The collection the document was added to; null once that collection was deleted. */
  collection: string | null;
  /** Whether its text is indexed for search (text kinds); bytes (PDF…) are stored but not searched. */
  searchable: boolean;
  /** Size of the original bytes. */
  size: number;
}

/** What to add to the library. */
export interface LibraryInput {
  /** Generated (a UUID) when absent. */
  id?: string | undefined;
  user: string;
  /** MIME type; when absent, text if the bytes are UTF-8, else `application/octet-stream`. */
  kind?: string | undefined;
  title?: string | undefined;
  comments?: string | undefined;
  tags?: readonly string[] | undefined;
  time?: number | undefined;
  metadata?: unknown;
  /** Collection the document belongs to; default `default`. */
  collection?: string | undefined;
  /** The original bytes. */
  content: Uint8Array;
  /** Triples to add to the collection's graph now, as coming from this document (TrustGraph text-load). */
  triples?: readonly TripleRecord[] | undefined;
  /** Replace a document with the same id instead of refusing. */
  replace?: boolean | undefined;
}

/** A processing to start: makes a document part of a collection. */
export type ProcessingInput = Omit<ProcessingRecord, "createdAt">;

/** MIME types whose bytes are text livegate indexes (besides `text/*`). */
const TEXT_KINDS = new Set([
  "application/json",
  "application/ld+json",
  "application/xml",
  "application/yaml",
  "application/x-yaml",
  "application/x-ndjson",
  "application/javascript",
  "application/sql",
  "application/csv",
]);

const mimeOf = (kind: string): string => kind.split(";")[0]!.trim().toLowerCase();
const isTextKind = (kind: string): boolean => {
  const m = mimeOf(kind);
  return m.startsWith("text/") || TEXT_KINDS.has(m) || m.endsWith("+json") || m.endsWith("+xml");
};

/** UTF-8 text of the bytes, exactly (a BOM is kept so the bytes round-trip), or undefined if not UTF-8. */
function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Source key of the triples a document brought, so removing the document removes them. */
export const documentSource = (id: string): string => `doc:${id}`;

const str = (v: unknown, fallback: string): string => (typeof v === "string" ? v : fallback);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * TrustGraph's library over livegate's documents: a document added here is a document of
 * {@link DocumentService}, so the embedded chat engine and document-rag search it like one added with
 * `POST /api/v1/documents`. Its TrustGraph metadata lives in the document's metadata:
 * `{user, kind, title, comments, tags, time, collection, metadata, size, encoding?}`; bytes that are not text are
 * kept as base64 with `encoding: "base64"`, which DocumentService stores but does not index.
 *
 * **Collections (for document-rag):** a document belongs to the collection it was added to (`collection`
 * in its metadata; documents added over REST without one belong to `default`) and to every collection
 * a started processing put it in. Use {@link LibraryService.documentIdsIn} or
 * {@link LibraryService.search} to search one collection.
 */
export class LibraryService {
  constructor(
    private readonly documents: DocumentService,
    private readonly processing: ProcessingStore,
    private readonly collections: CollectionStore,
    private readonly triples: TriplesService,
  ) {}

  /**
   * Adds a document. Text kinds are decoded and indexed; other bytes are stored as they are.
   * @throws KnowledgeError invalid when the id is taken and `replace` is not set (or the document is
   * another user's)
   */
  async add(input: LibraryInput): Promise<LibraryDocument> {
    const id = input.id ?? randomUUID();
    const existing = this.documents.get(id);
    // Replacing is for the owner only: another user's document with this id is never overwritten.
    if (existing && (!input.replace || ownerOf(existing.metadata) !== input.user)) throw new KnowledgeError("invalid", `document "${id}" already exists`);
    const bytes = input.content;
    const text = utf8(bytes);
    const kind = input.kind ?? (text !== undefined && !text.includes("\u0000") ? "text/plain" : "application/octet-stream");
    const asText = text !== undefined && isTextKind(kind);
    const collection = input.collection ?? DEFAULT_COLLECTION;
    const metadata: Record<string, unknown> = {
      user: input.user,
      kind,
      title: input.title ?? "",
      comments: input.comments ?? "",
      tags: [...(input.tags ?? [])],
      time: input.time ?? Math.floor(Date.now() / 1000),
      collection,
      metadata: input.metadata ?? [],
      size: bytes.byteLength,
      ...(asText ? {} : { encoding: "base64" }),
    };
    const view = await this.documents.add({
      id,
      title: input.title || id,
      content: asText ? text : Buffer.from(bytes).toString("base64"),
      metadata,
    });
    await this.collections.ensure(collection, input.user);
    if (existing) await this.triples.removeSource(documentSource(id));
    if (input.triples && input.triples.length > 0) await this.triples.add(collection, documentSource(id), input.triples);
    return toLibraryDocument(view);
  }

  /**
   * Removes a document, its processings and the triples it brought.
   * @throws KnowledgeError notFound
   */
  async remove(user: string, id: string): Promise<void> {
    this.own(user, id);
    await this.documents.remove(id);
    await this.processing.removeDocument(id);
    await this.triples.removeSource(documentSource(id));
  }

  /** Whether a document with this id exists (for any user). */
  has(id: string): boolean {
    return this.documents.get(id) !== undefined;
  }

  /** A user's documents, oldest first. */
  list(user: string): LibraryDocument[] {
    return this.documents
      .list()
      .map((d) => toLibraryDocument(d))
      .filter((d) => d.user === user);
  }

  /** @throws KnowledgeError notFound */
  get(user: string, id: string): LibraryDocument {
    return toLibraryDocument(this.own(user, id));
  }

  /**
   * The document's original bytes.
   * @throws KnowledgeError notFound
   */
  content(user: string, id: string): Buffer {
    const d = this.own(user, id);
    return isSearchable(d.metadata) ? Buffer.from(d.content, "utf8") : Buffer.from(d.content, "base64");
  }

  /**
   * Records a processing: the document becomes part of the processing's collection.
   * @throws KnowledgeError notFound for an unknown document, invalid for a processing id in use
   */
  async startProcessing(p: ProcessingInput): Promise<ProcessingRecord> {
    this.own(p.user, p.documentId);
    if (!(await this.processing.create(p))) throw new KnowledgeError("invalid", `processing "${p.id}" already exists`);
    await this.collections.ensure(p.collection, p.user);
    return (await this.processing.get(p.id))!;
  }

  /** @throws KnowledgeError notFound */
  async stopProcessing(user: string, id: string): Promise<void> {
    const p = await this.processing.get(id);
    if (!p || p.user !== user) throw new KnowledgeError("notFound", `processing "${id}" not found`);
    await this.processing.remove(id);
  }

  /** A user's processings, oldest first. */
  listProcessing(user: string): Promise<ProcessingRecord[]> {
    return this.processing.list(user);
  }

  /**
   * Ids of the documents in a collection: those added to it and those a processing put in it.
   * Documents added over REST without a `collection` in their metadata are in `default`. With
   * `searchableOnly`, only text documents (those {@link DocumentService.search} can find).
   */
  async documentIdsIn(collection: string, opts: { searchableOnly?: boolean } = {}): Promise<Set<string>> {
    const keep = (d: DocumentView) => !opts.searchableOnly || isSearchable(d.metadata);
    const ids = new Set(
      this.documents
        .list()
        .filter((d) => homeCollection(d.metadata) === collection && keep(d))
        .map((d) => d.id),
    );
    for (const p of await this.processing.inCollection(collection)) {
      const d = this.documents.get(p.documentId);
      if (d && keep(d)) ids.add(d.id);
    }
    return ids;
  }

  /**
   * Full-text search over the documents of one collection (all documents when `collection` is
   * undefined), best first: what TrustGraph's document-rag retrieves from.
   */
  async search(query: string, opts: { collection?: string | undefined; limit?: number | undefined } = {}): Promise<DocumentHit[]> {
    const limit = opts.limit ?? 5;
    if (opts.collection === undefined) return this.documents.search(query, limit);
    const ids = await this.documentIdsIn(opts.collection);
    return this.documents.search(query, limit, (id) => ids.has(id));
  }

  /**
   * Takes every document out of a collection (for its deletion): processings into it are removed and
   * documents added to it no longer belong to any collection. The documents themselves stay.
   * Returns how many processings and documents were affected.
   */
  async dropCollection(collection: string): Promise<{ processings: number; documents: number }> {
    const processings = await this.processing.removeCollection(collection);
    let documents = 0;
    for (const d of this.documents.list()) {
      if (homeCollection(d.metadata) !== collection) continue;
      await this.documents.add({ id: d.id, title: d.title, content: d.content, metadata: { ...(d.metadata as object), collection: null } });
      documents++;
    }
    return { processings, documents };
  }

  /** The document if it exists and belongs to `user`. */
  private own(user: string, id: string): DocumentView {
    const d = this.documents.get(id);
    if (!d || ownerOf(d.metadata) !== user) throw new KnowledgeError("notFound", `document "${id}" not found`);
    return d;
  }
}

/** Owner of a document: `user` of its metadata, or the default user (documents added over REST). */
const ownerOf = (metadata: unknown): string => (isRecord(metadata) ? str(metadata.user, DEFAULT_USER) : DEFAULT_USER);

/** The collection a document was added to: `collection` of its metadata, `default` when absent. */
function homeCollection(metadata: unknown): string | null {
  if (!isRecord(metadata) || !("collection" in metadata)) return DEFAULT_COLLECTION;
  return typeof metadata.collection === "string" ? metadata.collection : null;
}

function toLibraryDocument(d: DocumentView): LibraryDocument {
  const m = isRecord(d.metadata) ? d.metadata : {};
  const searchable = isSearchable(d.metadata);
  return {
    id: d.id,
    user: ownerOf(d.metadata),
    kind: str(m.kind, "text/plain"),
    title: str(m.title, d.title),
    comments: str(m.comments, ""),
    tags: Array.isArray(m.tags) ? m.tags.filter((t): t is string => typeof t === "string") : [],
    time: typeof m.time === "number" ? m.time : Math.floor(Date.parse(d.created_at) / 1000),
    metadata: "metadata" in m ? m.metadata : [],
    collection: homeCollection(d.metadata),
    searchable,
    size: typeof m.size === "number" ? m.size : searchable ? Buffer.byteLength(d.content, "utf8") : Buffer.from(d.content, "base64").byteLength,
  };
}
