import type { Kysely, Selectable } from "kysely";
import type { Database, DocumentsTable } from "../schema.js";
import type { DocumentRecord, DocumentStore } from "../store.js";
import { fromJson, num, toJson } from "./json.js";

const toRecord = (r: Selectable<DocumentsTable>): DocumentRecord => ({
  id: r.id,
  title: r.title,
  content: r.content,
  metadata: fromJson(r.metadata),
  createdAt: num(r.created_at),
});

export class SqlDocuments implements DocumentStore {
  constructor(private readonly db: Kysely<Database>) {}

  async put(d: DocumentRecord): Promise<void> {
    const row = { id: d.id, title: d.title, content: d.content, metadata: toJson(d.metadata ?? {}), created_at: d.createdAt };
    await this.db
      .insertInto("documents")
      .values(row)
      .onConflict((oc) => oc.column("id").doUpdateSet({ title: row.title, content: row.content, metadata: row.metadata }))
      .execute();
  }

  async get(id: string): Promise<DocumentRecord | undefined> {
    const row = await this.db.selectFrom("documents").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async remove(id: string): Promise<boolean> {
    const res = await this.db.deleteFrom("documents").where("id", "=", id).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async all(): Promise<DocumentRecord[]> {
    return (await this.db.selectFrom("documents").selectAll().orderBy("created_at", "asc").orderBy("id", "asc").execute()).map(toRecord);
  }
}
