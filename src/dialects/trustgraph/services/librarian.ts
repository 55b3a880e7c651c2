import { randomUUID } from "node:crypto";
import type { ProcessingRecord } from "../../../engines/store/store.js";
import type { UploadStatus } from "../../../services/library-uploads.js";
import type { LibraryDocument } from "../../../services/library.js";
import { operationOf, unknownOperation } from "../args.js";
import { TgError, type TgBody, type TgCall, type TgReplies, type TgService } from "../service.js";
import {
  base64Bytes,
  collectionIn,
  knowledgeReplies,
  countIn,
  maybeNumber,
  maybeString,
  maybeStrings,
  requiredObject,
  userOf,
} from "./knowledge-args.js";

const OPERATIONS = [
  "add-document",
  "remove-document",
  "list-documents",
  "get-document-metadata",
  "get-document-content",
  "stream-document",
  "start-processing",
  "stop-processing",
  "list-processing",
  "begin-upload",
  "upload-chunk",
  "get-upload-status",
  "complete-upload",
  "abort-upload",
  "list-uploads",
] as const;

/** A document's metadata on the wire (DocumentMetadata of the translators, seed era with `user`). */
export const documentMetadata = (d: LibraryDocument): TgBody => ({
  id: d.id,
  time: d.time,
  kind: d.kind,
  title: d.title,
  comments: d.comments,
  metadata: d.metadata,
  user: d.user,
  tags: d.tags,
});

const processingMetadata = (p: ProcessingRecord): TgBody => ({
  id: p.id,
  "document-id": p.documentId,
  time: p.time,
  flow: p.flow,
  user: p.user,
  collection: p.collection,
  tags: p.tags,
});

/** A required id field of the request (`document-id`, `processing-id`). */
function idOf(req: TgBody, key: string): string {
  const v = req[key];
  if (typeof v !== "string" || v === "") throw new TgError("invalid-request", `"${key}" is required (a non-empty string)`);
  return v;
}

/** The library fields of `document-metadata` (and the request's `collection`), and whose document it is. */
function documentFields(call: TgCall) {
  const req = call.request;
  const dm = requiredObject(req, "document-metadata");
  const metadata = dm.metadata;
  if (metadata !== undefined && metadata !== null && !Array.isArray(metadata)) {
    throw new TgError("invalid-request", `"document-metadata.metadata" must be an array of triples`);
  }
  return {
    user: userOf(call, dm.user ? dm : req),
    fields: {
      id: maybeString(dm, "id", "document-metadata.id") || undefined,
      kind: maybeString(dm, "kind", "document-metadata.kind") || undefined,
      title: maybeString(dm, "title", "document-metadata.title"),
      comments: maybeString(dm, "comments", "document-metadata.comments"),
      tags: maybeStrings(dm, "tags", "document-metadata.tags"),
      time: maybeNumber(dm, "time", "document-metadata.time"),
      metadata: metadata ?? [],
      collection: collectionIn(req),
    },
  };
}

async function addDocument(call: TgCall): Promise<TgBody> {
  const { user, fields } = documentFields(call);
  const content = base64Bytes(call.request.content, "content");
  const doc = await call.app.library.add({ ...fields, user, content });
  return { "document-id": doc.id };
}

/** Progress of an upload, in the translator's keys. */
const uploadProgress = (s: UploadStatus): TgBody => ({
  "upload-id": s.upload.id,
  "chunks-received": s.received.length,
  "total-chunks": s.upload.totalChunks,
  "bytes-received": s.bytesReceived,
  "total-bytes": s.upload.totalSize,
});

async function uploads(call: TgCall, op: string): Promise<TgBody> {
  const req = call.request;
  const up = call.app.libraryUploads;
  switch (op) {
    case "begin-upload": {
      const { user, fields } = documentFields(call);
      const total = countIn(req, "total-size", 0);
      const chunk = req["chunk-size"] === undefined || req["chunk-size"] === null || req["chunk-size"] === 0 ? undefined : countIn(req, "chunk-size", 0);
      const u = await up.begin(user, fields, total, chunk);
      return { "upload-id": u.id, "document-id": u.documentId, "chunk-size": u.chunkSize, "total-chunks": u.totalChunks };
    }
    case "upload-chunk": {
      const index = countIn(req, "chunk-index", 0);
      const s = await up.chunk(userOf(call), idOf(req, "upload-id"), index, base64Bytes(req.content, "content"));
      return { ...uploadProgress(s), "chunk-index": index };
    }
    case "get-upload-status": {
      const s = await up.status(userOf(call), idOf(req, "upload-id"));
      return { ...uploadProgress(s), "upload-state": s.state, "received-chunks": s.received, "missing-chunks": s.missing };
    }
    case "complete-upload": {
      const doc = await up.complete(userOf(call), idOf(req, "upload-id"));
      return { "document-id": doc.id, "object-id": doc.id };
    }
    case "abort-upload":
      await up.abort(userOf(call), idOf(req, "upload-id"));
      return {};
    default: {
      const sessions = (await up.list(userOf(call))).map(({ upload: u, chunksReceived }) => ({
        "upload-id": u.id,
        "document-id": u.documentId,
        "document-metadata-json": JSON.stringify(u.document),
        "total-size": u.totalSize,
        "chunk-size": u.chunkSize,
        "total-chunks": u.totalChunks,
        "chunks-received": chunksReceived,
        "created-at": new Date(u.createdAt).toISOString(),
      }));
      return { "upload-sessions": sessions };
    }
  }
}

async function startProcessing(call: TgCall): Promise<TgBody> {
  const pm = requiredObject(call.request, "processing-metadata");
  const flow = maybeString(pm, "flow", "processing-metadata.flow") || "default";
  if (!(await call.app.flows.resolve(flow))) throw new TgError("not-found", `flow "${flow}" is not started`);
  const documentId = pm["document-id"];
  if (typeof documentId !== "string" || documentId === "") throw new TgError("invalid-request", `"processing-metadata.document-id" is required (a non-empty string)`);
  await call.app.library.startProcessing({
    id: maybeString(pm, "id", "processing-metadata.id") || randomUUID(),
    documentId,
    user: userOf(call, pm.user ? pm : call.request),
    flow,
    collection: collectionIn(pm),
    tags: maybeStrings(pm, "tags", "processing-metadata.tags") ?? [],
    time: maybeNumber(pm, "time", "processing-metadata.time") ?? Math.floor(Date.now() / 1000),
  });
  return {};
}

/** Bytes per `stream-document` frame when the request names no `chunk-size`. */
export const STREAM_CHUNK_SIZE = 1024 * 1024;

/**
 * stream-document: the document's bytes as base64 `content` frames of `chunk-size` bytes with
 * `chunk-index` and `total-chunks`, when the caller streams; else one frame with all of them.
 */
async function* streamDocument(call: TgCall): TgReplies {
  const req = call.request;
  const bytes = call.app.library.content(userOf(call), idOf(req, "document-id"));
  const asked = countIn(req, "chunk-size", 0);
  const size = call.streaming && asked > 0 ? asked : call.streaming ? STREAM_CHUNK_SIZE : Math.max(bytes.length, 1);
  const total = Math.max(1, Math.ceil(bytes.length / size));
  for (let i = 0; i < total; i++) {
    if (call.signal.aborted) return;
    yield { content: bytes.subarray(i * size, (i + 1) * size).toString("base64"), "chunk-index": i, "total-chunks": total };
  }
}

async function answer(call: TgCall): Promise<TgBody> {
  const req = call.request;
  const { library } = call.app;
  const op = operationOf(req);
  switch (op) {
    case "add-document":
      return addDocument(call);
    case "remove-document":
      await library.remove(userOf(call), idOf(req, "document-id"));
      return {};
    case "list-documents":
      return { "document-metadatas": library.list(userOf(call)).map(documentMetadata) };
    case "get-document-metadata":
      return { "document-metadata": documentMetadata(library.get(userOf(call), idOf(req, "document-id"))) };
    case "get-document-content":
      return { content: library.content(userOf(call), idOf(req, "document-id")).toString("base64") };
    case "start-processing":
      return startProcessing(call);
    case "stop-processing":
      await library.stopProcessing(userOf(call), idOf(req, "processing-id"));
      return {};
    case "list-processing":
      return { "processing-metadatas": (await library.listProcessing(userOf(call))).map(processingMetadata) };
    case "begin-upload":
    case "upload-chunk":
    case "get-upload-status":
    case "complete-upload":
    case "abort-upload":
    case "list-uploads":
      return uploads(call, op);
    default:
      throw unknownOperation("librarian", op, OPERATIONS);
  }
}

/**
 * `librarian` (global): TrustGraph's document library over livegate's documents (docs/protocol-trustgraph.md,
 * "Knowledge services"). Text documents are searched by the chat engine and document-rag; other kinds are
 * kept byte-exact. One reply per request.
 */
export const librarianService: TgService = {
  kind: "librarian",
  scope: "global",
  handle(call) {
    return knowledgeReplies(
      (async function* () {
        if (call.request.operation === "stream-document") yield* streamDocument(call);
        else yield await answer(call);
      })(),
    );
  },
};
