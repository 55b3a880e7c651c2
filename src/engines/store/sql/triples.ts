import { sql, type Kysely, type Selectable } from "kysely";
import type { Database, TriplesTable } from "../schema.js";
import type { TermKind, TriplePattern, TripleRecord, TripleStore } from "../store.js";

type Row = Pick<Selectable<TriplesTable>, "s" | "s_kind" | "p" | "p_kind" | "o" | "o_kind">;

const COLUMNS = ["s", "s_kind", "p", "p_kind", "o", "o_kind"] as const;

export const tripleFromRow = (r: Row): TripleRecord => ({
  s: { value: r.s, kind: r.s_kind as TermKind },
  p: { value: r.p, kind: r.p_kind as TermKind },
  o: { value: r.o, kind: r.o_kind as TermKind },
});

export const tripleToRow = (t: TripleRecord): Row => ({
  s: t.s.value,
  s_kind: t.s.kind,
  p: t.p.value,
  p_kind: t.p.kind,
  o: t.o.value,
  o_kind: t.o.kind,
});

/** Rows per INSERT: 9 parameters each stays far below SQLite's and PostgreSQL's parameter limits. */
const BATCH = 500;

export class SqlTriples implements TripleStore {
  /** `hashedTerms`: the indexes key terms by md5 (PostgreSQL, migration 0007), so lookups match the hash too. */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly hashedTerms = false,
  ) {}

  async add(collection: string, source: string, triples: readonly TripleRecord[]): Promise<number> {
    if (triples.length === 0) return 0;
    return this.db.transaction().execute(async (trx) => {
      let added = 0;
      for (let i = 0; i < triples.length; i += BATCH) {
        const rows = triples.slice(i, i + BATCH).map((t) => ({ collection, source, ...tripleToRow(t) }));
        const res = await trx.insertInto("triples").values(rows).onConflict((oc) => oc.doNothing()).executeTakeFirst();
        added += Number(res.numInsertedOrUpdatedRows ?? 0);
      }
      return added;
    });
  }

  async match(collection: string, pattern: TriplePattern, limit: number): Promise<TripleRecord[]> {
    let q = this.db.selectFrom("triples").select(COLUMNS).distinct().where("collection", "=", collection);
    for (const pos of ["s", "p", "o"] as const) {
      const term = pattern[pos];
      if (!term) continue;
      q = q.where(pos, "=", term.value);
      if (this.hashedTerms) q = q.where(sql<string>`md5(${sql.ref(pos)})`, "=", sql<string>`md5(${term.value})`);
      if (term.kind) q = q.where(`${pos}_kind`, "=", term.kind);
    }
    // Order along the index the pattern uses (s…: primary key; p…: po; o…: os), so the order is stable
    // and costs no sort.
    const order = pattern.s ? (["s", "p", "o"] as const) : pattern.p ? (["p", "o", "s"] as const) : pattern.o ? (["o", "s", "p"] as const) : (["s", "p", "o"] as const);
    for (const col of order) q = q.orderBy(col);
    const rows = await q.limit(limit).execute();
    return rows.map(tripleFromRow);
  }

  async containing(collection: string, text: string, limit: number): Promise<TripleRecord[]> {
    // LIKE's wildcards are dropped from the text rather than escaped (escaping differs between engines).
    const word = text.toLowerCase().replace(/[\\%_]/g, "");
    // SQLite's lower() folds ASCII only, so non-ASCII words are also tried Capitalized and in UPPER case.
    const forms = [...new Set([word, word.charAt(0).toUpperCase() + word.slice(1), word.toUpperCase()])].map((w) => `%${w}%`);
    const rows = await this.db
      .selectFrom("triples")
      .select(COLUMNS)
      .distinct()
      .where("collection", "=", collection)
      .where((eb) => eb.or(forms.flatMap((like) => [eb(eb.fn("lower", ["s"]), "like", like), eb(eb.fn("lower", ["o"]), "like", like)])))
      .orderBy("s")
      .orderBy("p")
      .orderBy("o")
      .limit(limit)
      .execute();
    return rows.map(tripleFromRow);
  }

  async removeSource(source: string, collection?: string): Promise<number> {
    let q = this.db.deleteFrom("triples").where("source", "=", source);
    if (collection !== undefined) q = q.where("collection", "=", collection);
    return Number((await q.executeTakeFirst()).numDeletedRows);
  }

  async removeCollection(collection: string): Promise<number> {
    return Number((await this.db.deleteFrom("triples").where("collection", "=", collection).executeTakeFirst()).numDeletedRows);
  }

  async collections(): Promise<string[]> {
    const rows = await this.db.selectFrom("triples").select("collection").distinct().orderBy("collection").execute();
    return rows.map((r) => r.collection);
  }
}
