import { randomUUID } from "node:crypto";
import type { UploadRecord, UploadStore } from "../engines/store/store.js";
import { KnowledgeError } from "./knowledge-error.js";
import type { LibraryDocument, LibraryInput, LibraryService } from "./library.js";

/** Chunk size when the client names none: 1 MiB, about 1.4 MB of base64, far below the frame limit. */
export const DEFAULT_CHUNK_SIZE = 1024 * 1024;
/** Largest document an upload may build (documents are held in memory for search). */
export const MAX_UPLOAD_BYTES = 256 * 1024 * 1024;

/** The library fields of the document an upload builds: everything but its bytes. */
export type UploadDocument = Omit<LibraryInput, "content" | "triples" | "replace" | "user">;

/** Where an upload stands. */
export interface UploadStatus {
  upload: UploadRecord;
  /** `in-progress` until every chunk arrived, then `ready` (complete-upload may be called). */
  state: "in-progress" | "ready";
  received: number[];
  missing: number[];
  bytesReceived: number;
}

/**
 * Chunked uploads to the library (TrustGraph's `begin-upload`, `upload-chunk`, `complete-upload`, …), so a
 * document bigger than one frame can be added. Chunks are kept in the store until the upload is completed
 * (the document is then added like `add-document` and the chunks dropped) or aborted; an abandoned upload
 * stays until aborted.
 */
export class LibraryUploads {
  constructor(
    private readonly store: UploadStore,
    private readonly library: LibraryService,
  ) {}

  /**
   * Starts an upload of `totalSize` bytes in chunks of `chunkSize` (the last may be shorter).
   * @throws KnowledgeError invalid for sizes out of range or a document id already in the library
   */
  async begin(user: string, document: UploadDocument, totalSize: number, chunkSize = DEFAULT_CHUNK_SIZE): Promise<UploadRecord> {
    if (!Number.isInteger(totalSize) || totalSize < 1 || totalSize > MAX_UPLOAD_BYTES) {
      throw new KnowledgeError("invalid", `"total-size" must be an integer from 1 to ${MAX_UPLOAD_BYTES}`);
    }
    if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_UPLOAD_BYTES) {
      throw new KnowledgeError("invalid", `"chunk-size" must be an integer from 1 to ${MAX_UPLOAD_BYTES}`);
    }
    const documentId = document.id ?? randomUUID();
    if (this.library.has(documentId)) throw new KnowledgeError("invalid", `document "${documentId}" already exists`);
    const upload: UploadRecord = {
      id: randomUUID(),
      user,
      documentId,
      document: { ...document, id: documentId },
      totalSize,
      chunkSize,
      totalChunks: Math.ceil(totalSize / chunkSize),
      createdAt: Date.now(),
    };
    await this.store.create(upload);
    return upload;
  }

  /**
   * Stores chunk `index` (0-based; sending one again replaces it). Every chunk but the last must be
   * `chunkSize` bytes, the last the rest.
   * @throws KnowledgeError notFound for an unknown upload, invalid for a bad index or size
   */
  async chunk(user: string, id: string, index: number, bytes: Uint8Array): Promise<UploadStatus> {
    const upload = await this.own(user, id);
    if (!Number.isInteger(index) || index < 0 || index >= upload.totalChunks) {
      throw new KnowledgeError("invalid", `"chunk-index" must be from 0 to ${upload.totalChunks - 1}`);
    }
    const expected = index === upload.totalChunks - 1 ? upload.totalSize - upload.chunkSize * index : upload.chunkSize;
    if (bytes.byteLength !== expected) throw new KnowledgeError("invalid", `chunk ${index} must be ${expected} bytes, got ${bytes.byteLength}`);
    await this.store.putChunk(id, index, bytes);
    return this.statusOf(upload);
  }

  /** @throws KnowledgeError notFound */
  async status(user: string, id: string): Promise<UploadStatus> {
    return this.statusOf(await this.own(user, id));
  }

  /**
   * Adds the assembled document to the library and drops the upload.
   * @throws KnowledgeError notFound for an unknown upload, invalid while chunks are missing
   */
  async complete(user: string, id: string): Promise<LibraryDocument> {
    const upload = await this.own(user, id);
    const status = await this.statusOf(upload);
    if (status.missing.length > 0) {
      const shown = status.missing.slice(0, 20).join(", ") + (status.missing.length > 20 ? ", …" : "");
      throw new KnowledgeError("invalid", `upload "${id}" is missing chunks ${shown}`);
    }
    const content = await this.store.assemble(id);
    const doc = await this.library.add({ ...(upload.document as UploadDocument), id: upload.documentId, user, content });
    await this.store.remove(id);
    return doc;
  }

  /** @throws KnowledgeError notFound */
  async abort(user: string, id: string): Promise<void> {
    await this.own(user, id);
    await this.store.remove(id);
  }

  /** A user's uploads in progress, oldest first, with how many chunks each has. */
  async list(user: string): Promise<{ upload: UploadRecord; chunksReceived: number }[]> {
    const uploads = await this.store.list(user);
    return Promise.all(uploads.map(async (upload) => ({ upload, chunksReceived: (await this.store.received(upload.id)).length })));
  }

  private async own(user: string, id: string): Promise<UploadRecord> {
    const upload = await this.store.get(id);
    if (!upload || upload.user !== user) throw new KnowledgeError("notFound", `upload "${id}" not found`);
    return upload;
  }

  private async statusOf(upload: UploadRecord): Promise<UploadStatus> {
    const got = await this.store.received(upload.id);
    const have = new Set(got.map((c) => c.index));
    const missing: number[] = [];
    for (let i = 0; i < upload.totalChunks; i++) if (!have.has(i)) missing.push(i);
    return {
      upload,
      state: missing.length === 0 ? "ready" : "in-progress",
      received: got.map((c) => c.index),
      missing,
      bytesReceived: got.reduce((n, c) => n + c.size, 0),
    };
  }
}
