import type { Kysely, Selectable } from "kysely";
import type { Database, LibraryUploadsTable } from "../schema.js";
import type { UploadRecord, UploadStore } from "../store.js";
import { fromJson, num, toJson } from "./json.js";

const toRecord = (r: Selectable<LibraryUploadsTable>): UploadRecord => ({
  id: r.id,
  user: r.user_id,
  documentId: r.document_id,
  document: fromJson(r.document),
  totalSize: num(r.total_size),
  chunkSize: num(r.chunk_size),
  totalChunks: num(r.total_chunks),
  createdAt: num(r.created_at),
});

export class SqlUploads implements UploadStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(u: UploadRecord): Promise<void> {
    await this.db
      .insertInto("library_uploads")
      .values({
        id: u.id,
        user_id: u.user,
        document_id: u.documentId,
        document: toJson(u.document),
        total_size: u.totalSize,
        chunk_size: u.chunkSize,
        total_chunks: u.totalChunks,
        created_at: u.createdAt,
      })
      .execute();
  }

  async get(id: string): Promise<UploadRecord | undefined> {
    const row = await this.db.selectFrom("library_uploads").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async list(user: string): Promise<UploadRecord[]> {
    const rows = await this.db.selectFrom("library_uploads").selectAll().where("user_id", "=", user).orderBy("created_at").orderBy("id").execute();
    return rows.map(toRecord);
  }

  async putChunk(id: string, index: number, data: Uint8Array): Promise<void> {
    const row = { upload_id: id, idx: index, size: data.byteLength, data: Buffer.from(data).toString("base64") };
    await this.db
      .insertInto("library_upload_chunks")
      .values(row)
      .onConflict((oc) => oc.columns(["upload_id", "idx"]).doUpdateSet({ size: row.size, data: row.data }))
      .execute();
  }

  async received(id: string): Promise<{ index: number; size: number }[]> {
    const rows = await this.db.selectFrom("library_upload_chunks").select(["idx", "size"]).where("upload_id", "=", id).orderBy("idx").execute();
    return rows.map((r) => ({ index: num(r.idx), size: num(r.size) }));
  }

  async assemble(id: string): Promise<Buffer> {
    const rows = await this.db.selectFrom("library_upload_chunks").select("data").where("upload_id", "=", id).orderBy("idx").execute();
    return Buffer.concat(rows.map((r) => Buffer.from(r.data, "base64")));
  }

  async remove(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom("library_upload_chunks").where("upload_id", "=", id).execute();
      const res = await trx.deleteFrom("library_uploads").where("id", "=", id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    });
  }
}
