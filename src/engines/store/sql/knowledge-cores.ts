import type { Kysely, Selectable } from "kysely";
import type { Database, KgCoresTable } from "../schema.js";
import type { CorePage, EntityEmbeddingRecord, KnowledgeCoreRecord, KnowledgeCoreStore, TermKind, TripleRecord } from "../store.js";
import { fromJson, num, toJson } from "./json.js";
import { tripleFromRow, tripleToRow } from "./triples.js";

const toRecord = (r: Selectable<KgCoresTable>): KnowledgeCoreRecord => ({
  user: r.user_id,
  id: r.id,
  collection: r.collection,
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
});

/** Rows per INSERT (at most 11 parameters each). */
const BATCH = 400;

export class SqlKnowledgeCores implements KnowledgeCoreStore {
  constructor(private readonly db: Kysely<Database>) {}

  async append(
    user: string,
    id: string,
    part: { collection?: string | undefined; triples: readonly TripleRecord[]; entities: readonly EntityEmbeddingRecord[] },
  ): Promise<KnowledgeCoreRecord> {
    const now = Date.now();
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("kg_cores")
        .values({ user_id: user, id, collection: part.collection ?? null, created_at: now, updated_at: now })
        .onConflict((oc) =>
          oc.columns(["user_id", "id"]).doUpdateSet(part.collection === undefined ? { updated_at: now } : { updated_at: now, collection: part.collection }),
        )
        .execute();
      const key = { user_id: user, core_id: id };
      if (part.triples.length > 0) {
        let seq = await lastSeq(trx, "kg_core_triples", user, id);
        for (let i = 0; i < part.triples.length; i += BATCH) {
          const rows = part.triples.slice(i, i + BATCH).map((t) => ({ ...key, seq: ++seq, ...tripleToRow(t) }));
          await trx.insertInto("kg_core_triples").values(rows).execute();
        }
      }
      if (part.entities.length > 0) {
        let seq = await lastSeq(trx, "kg_core_entities", user, id);
        for (let i = 0; i < part.entities.length; i += BATCH) {
          const rows = part.entities.slice(i, i + BATCH).map((e) => ({
            ...key,
            seq: ++seq,
            entity: e.entity.value,
            entity_kind: e.entity.kind,
            vectors: toJson(e.vectors),
          }));
          await trx.insertInto("kg_core_entities").values(rows).execute();
        }
      }
      const row = await trx.selectFrom("kg_cores").selectAll().where("user_id", "=", user).where("id", "=", id).executeTakeFirstOrThrow();
      return toRecord(row);
    });
  }

  async get(user: string, id: string): Promise<KnowledgeCoreRecord | undefined> {
    const row = await this.db.selectFrom("kg_cores").selectAll().where("user_id", "=", user).where("id", "=", id).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async list(user: string): Promise<string[]> {
    const rows = await this.db.selectFrom("kg_cores").select("id").where("user_id", "=", user).orderBy("id").execute();
    return rows.map((r) => r.id);
  }

  async triples(user: string, id: string, after: number, limit: number): Promise<CorePage<TripleRecord>> {
    const rows = await this.db
      .selectFrom("kg_core_triples")
      .selectAll()
      .where("user_id", "=", user)
      .where("core_id", "=", id)
      .where("seq", ">", after)
      .orderBy("seq")
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    return { items: page.map(tripleFromRow), next: rows.length > limit ? num(page.at(-1)!.seq) : undefined };
  }

  async entities(user: string, id: string, after: number, limit: number): Promise<CorePage<EntityEmbeddingRecord>> {
    const rows = await this.db
      .selectFrom("kg_core_entities")
      .selectAll()
      .where("user_id", "=", user)
      .where("core_id", "=", id)
      .where("seq", ">", after)
      .orderBy("seq")
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    return {
      items: page.map((r) => ({ entity: { value: r.entity, kind: r.entity_kind as TermKind }, vectors: fromJson(r.vectors) as number[][] })),
      next: rows.length > limit ? num(page.at(-1)!.seq) : undefined,
    };
  }

  async remove(user: string, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom("kg_core_triples").where("user_id", "=", user).where("core_id", "=", id).execute();
      await trx.deleteFrom("kg_core_entities").where("user_id", "=", user).where("core_id", "=", id).execute();
      const res = await trx.deleteFrom("kg_cores").where("user_id", "=", user).where("id", "=", id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    });
  }
}

async function lastSeq(db: Kysely<Database>, table: "kg_core_triples" | "kg_core_entities", user: string, id: string): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.max("seq").as("seq"))
    .where("user_id", "=", user)
    .where("core_id", "=", id)
    .executeTakeFirst();
  return num(row?.seq ?? 0);
}
