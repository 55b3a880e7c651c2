import type { Kysely, Selectable } from "kysely";
import type { Database, LibraryProcessingTable } from "../schema.js";
import type { ProcessingRecord, ProcessingStore } from "../store.js";
import { fromJson, num, toJson } from "./json.js";

const toRecord = (r: Selectable<LibraryProcessingTable>): ProcessingRecord => ({
  id: r.id,
  documentId: r.document_id,
  user: r.user_id,
  flow: r.flow,
  collection: r.collection,
  tags: fromJson(r.tags) as string[],
  time: num(r.time),
  createdAt: num(r.created_at),
});

export class SqlProcessing implements ProcessingStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(p: Omit<ProcessingRecord, "createdAt">): Promise<boolean> {
    const res = await this.db
      .insertInto("library_processing")
      .values({
        id: p.id,
        document_id: p.documentId,
        user_id: p.user,
        flow: p.flow,
        collection: p.collection,
        tags: toJson(p.tags),
        time: p.time,
        created_at: Date.now(),
      })
      .onConflict((oc) => oc.column("id").doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async get(id: string): Promise<ProcessingRecord | undefined> {
    const row = await this.db.selectFrom("library_processing").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async list(user?: string): Promise<ProcessingRecord[]> {
    let q = this.db.selectFrom("library_processing").selectAll();
    if (user !== undefined) q = q.where("user_id", "=", user);
    return (await q.orderBy("created_at").orderBy("id").execute()).map(toRecord);
  }

  async inCollection(collection: string): Promise<ProcessingRecord[]> {
    const rows = await this.db.selectFrom("library_processing").selectAll().where("collection", "=", collection).orderBy("created_at").orderBy("id").execute();
    return rows.map(toRecord);
  }

  async remove(id: string): Promise<boolean> {
    return Number((await this.db.deleteFrom("library_processing").where("id", "=", id).executeTakeFirst()).numDeletedRows) > 0;
  }

  async removeDocument(documentId: string): Promise<number> {
    return Number((await this.db.deleteFrom("library_processing").where("document_id", "=", documentId).executeTakeFirst()).numDeletedRows);
  }

  async removeCollection(collection: string): Promise<number> {
    return Number((await this.db.deleteFrom("library_processing").where("collection", "=", collection).executeTakeFirst()).numDeletedRows);
  }
}
