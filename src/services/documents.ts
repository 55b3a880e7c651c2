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
 * Whether a document's content is text to index. A document whose metadata says `encoding: "base64"`
 * holds bytes (a PDF added through TrustGraph's librarian): it is stored and listed but never searched,
 * since livegate extracts no text from such formats.
 */
export const isSearchable = (metadata: unknown): boolean =>
  !(typeof metadata === "object" && metadata !== null && (metadata as { encoding?: unknown }).encoding === "base64");

/**
 * Words too common to say what a question is about (English and Russian). They are neither indexed nor
 * searched, so "What is the capital of France?" does not match every document that contains "the".
 */
const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a an and are as at be been but by can could did do does for from had has have how i if in into is it its " +
    "me my no not of on or our so than that the their them then there these they this those to too us was we " +
    "were what when where which who whom why will with would you your about all any also tell please " +
    "а без более бы был была были было быть в вам вас ведь во вот все всё всего вы где да даже для до его её ее " +
    "если есть ещё еще же за здесь и из или им их к как какая какие какой когда кто ли либо мне может можно мы на " +
    "над нам нас не него нет ни них но ну о об однако он она они оно от по под после при про раз с со так также " +
    "такое такой там те тем то того тоже только том ты у уже чем что чтобы эта эти это этого этой этом этот я"
  ).split(" "),
);

/** Lower-cases a term and drops stop words (MiniSearch's processTerm, for indexing and search alike). */
const processTerm = (term: string): string | null => {
  const t = term.toLowerCase();
  return STOP_WORDS.has(t) ? null : t;
};

/**
 * Documents loaded into livegate: stored, and indexed for full-text search (MiniSearch, in memory,
 * rebuilt from the store at start). The embedded chat engine answers from them; TrustGraph's
 * librarian and document-rag use the same documents.
 */
export class DocumentService {
  private readonly docs = new Map<string, DocumentRecord>();
  private readonly index = new MiniSearch<{ id: string; title: string; content: string }>({
    fields: ["title", "content"],
    processTerm,
    // Prefix and fuzzy matching only for longer terms: "is" must not match "issues", nor "of" "off".
    searchOptions: {
      boost: { title: 2 },
      prefix: (term) => term.length >= 3,
      fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
      combineWith: "OR",
    },
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

  /**
   * Best matches first. `filter`, when given, keeps only the documents it accepts, before `limit` is
   * applied (TrustGraph's document-rag uses it to search one collection).
   */
  search(query: string, limit = 5, filter?: (id: string) => boolean): DocumentHit[] {
    return this.index
      .search(query, filter ? { filter: (r) => filter(String(r.id)) } : {})
      .slice(0, limit)
      .flatMap((r) => {
        const d = this.docs.get(String(r.id));
        return d ? [{ id: d.id, title: d.title, content: d.content, metadata: d.metadata, score: r.score, terms: r.terms }] : [];
      });
  }

  private indexDoc(d: DocumentRecord): void {
    if (this.index.has(d.id)) this.index.discard(d.id);
    if (isSearchable(d.metadata)) this.index.add({ id: d.id, title: d.title, content: d.content });
    this.docs.set(d.id, d);
  }
}
