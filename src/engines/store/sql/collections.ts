import type { Kysely, Selectable } from "kysely";
import type { CollectionsTable, Database } from "../schema.js";
import type { CollectionRecord, CollectionStore } from "../store.js";
import { fromJson, num, toJson } from "./json.js";

const toRecord = (r: Selectable<CollectionsTable>): CollectionRecord => ({
  collection: r.collection,
  user: r.user_id,
  name: r.name,
  description: r.description,
  tags: fromJson(r.tags) as string[],
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
});

export class SqlCollections implements CollectionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async upsert(c: {
    collection: string;
    user: string;
    name?: string | undefined;
    description?: string | undefined;
    tags?: readonly string[] | undefined;
  }): Promise<CollectionRecord> {
    const now = Date.now();
    const set = {
      updated_at: now,
      ...(c.name === undefined ? {} : { name: c.name }),
      ...(c.description === undefined ? {} : { description: c.description }),
      ...(c.tags === undefined ? {} : { tags: toJson(c.tags) }),
    };
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("collections")
        .values({
          collection: c.collection,
          user_id: c.user,
          name: c.name ?? "",
          description: c.description ?? "",
          tags: toJson(c.tags ?? []),
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.column("collection").doUpdateSet(set))
        .execute();
      return toRecord(await trx.selectFrom("collections").selectAll().where("collection", "=", c.collection).executeTakeFirstOrThrow());
    });
  }

  async ensure(collection: string, user: string): Promise<void> {
    const now = Date.now();
    await this.db
      .insertInto("collections")
      .values({ collection, user_id: user, name: "", description: "", tags: "[]", created_at: now, updated_at: now })
      .onConflict((oc) => oc.column("collection").doNothing())
      .execute();
  }

  async get(collection: string): Promise<CollectionRecord | undefined> {
    const row = await this.db.selectFrom("collections").selectAll().where("collection", "=", collection).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async list(user?: string): Promise<CollectionRecord[]> {
    let q = this.db.selectFrom("collections").selectAll();
    if (user !== undefined) q = q.where("user_id", "=", user);
    return (await q.orderBy("collection").execute()).map(toRecord);
  }

  async remove(collection: string): Promise<boolean> {
    const res = await this.db.deleteFrom("collections").where("collection", "=", collection).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}
