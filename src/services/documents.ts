import { randomUUID } from "node:crypto";
import MiniSearch from "minisearch";
import type { DocumentRecord, DocumentStore } from "../engines/store/store.js";
import { GatewayError } from "../core/errors.js";

/** A search hit: the document and how well it matched. */
export interface DocumentHit {
  id: string;
  title: string;
  content: string;
  metadata: unknown;
  score: number;
  /** Query terms that matched. */
  terms: string[];
}

/** The JSON view of a document (REST, TrustGraph librarian). */
export interface DocumentView {
  id: string;
  title: string;
  content: string;
  metadata: unknown;
  created_at: string;
}

export const documentView = (d: DocumentRecord): DocumentView => ({
  id: d.id,
  title: d.title,
  content: d.content,
  metadata: d.metadata,
  created_at: new Date(d.createdAt).toISOString(),
});

/**
 * Documents loaded into livegate: stored, and indexed for full-text search (MiniSearch, in memory,
 * rebuilt from the store at start). The embedded chat engine answers from them; TrustGraph's
 * librarian and document-rag use the same documents.
 */
export class DocumentService {
  private readonly docs = new Map<string, DocumentRecord>();
  private readonly index = new MiniSearch<{ id: string; title: string; content: string }>({
    fields: ["title", "content"],
    searchOptions: { boost: { title: 2 }, prefix: true, fuzzy: 0.2, combineWith: "OR" },
  });

  constructor(private readonly store: DocumentStore) {}

  /** Loads every stored document into the index. */
  async load(): Promise<void> {
    for (const d of await this.store.all()) this.indexDoc(d);
  }

  /** Adds (or replaces, same id) a document. */
  async add(input: { id?: string; title: string; content: string; metadata?: unknown }): Promise<DocumentView> {
    const record: DocumentRecord = {
      id: input.id ?? randomUUID(),
      title: input.title,
      content: input.content,
      metadata: input.metadata ?? {},
      createdAt: this.docs.get(input.id ?? "")?.createdAt ?? Date.now(),
    };
    await this.store.put(record);
    this.indexDoc(record);
    return documentView(record);
  }

  /** @throws GatewayError LG_ERR_DOCUMENT_NOT_FOUND */
  async remove(id: string): Promise<void> {
    if (!(await this.store.remove(id))) throw new GatewayError("LG_ERR_DOCUMENT_NOT_FOUND", { id });
    if (this.index.has(id)) this.index.discard(id);
    this.docs.delete(id);
  }

  get(id: string): DocumentView | undefined {
    const d = this.docs.get(id);
    return d ? documentView(d) : undefined;
  }

  list(): DocumentView[] {
    return [...this.docs.values()].map(documentView);
  }

  get count(): number {
    return this.docs.size;
  }

  /** Best matches first. */
  search(query: string, limit = 5): DocumentHit[] {
    return this.index
      .search(query)
      .slice(0, limit)
      .flatMap((r) => {
        const d = this.docs.get(String(r.id));
        return d ? [{ id: d.id, title: d.title, content: d.content, metadata: d.metadata, score: r.score, terms: r.terms }] : [];
      });
  }

  private indexDoc(d: DocumentRecord): void {
    if (this.index.has(d.id)) this.index.discard(d.id);
    this.index.add({ id: d.id, title: d.title, content: d.content });
    this.docs.set(d.id, d);
  }
}
