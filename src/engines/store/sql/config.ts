import type { Kysely, Transaction } from "kysely";
import type { Database } from "../schema.js";
import type { ConfigEntry, ConfigKey, ConfigStore } from "../store.js";
import { num } from "./json.js";

/** The one row of `config_version`. */
const VERSION_ROW = "config";

async function versionIn(db: Kysely<Database> | Transaction<Database>): Promise<number> {
  const row = await db.selectFrom("config_version").select("version").where("name", "=", VERSION_ROW).executeTakeFirst();
  return row ? num(row.version) : 0;
}

export class SqlConfig implements ConfigStore {
  constructor(private readonly db: Kysely<Database>) {}

  version(): Promise<number> {
    return versionIn(this.db);
  }

  async all(): Promise<{ version: number; entries: ConfigEntry[] }> {
    return this.db.transaction().execute(async (trx) => {
      const rows = await trx.selectFrom("config_entries").select(["type", "key", "value"]).orderBy("type").orderBy("key").execute();
      return { version: await versionIn(trx), entries: rows };
    });
  }

  async ofType(type: string): Promise<ConfigEntry[]> {
    return this.db.selectFrom("config_entries").select(["type", "key", "value"]).where("type", "=", type).orderBy("key").execute();
  }

  async get(keys: readonly ConfigKey[]): Promise<ConfigEntry[]> {
    if (keys.length === 0) return [];
    const types = [...new Set(keys.map((k) => k.type))];
    const names = [...new Set(keys.map((k) => k.key))];
    const rows = await this.db
      .selectFrom("config_entries")
      .select(["type", "key", "value"])
      .where("type", "in", types)
      .where("key", "in", names)
      .execute();
    const found = new Map(rows.map((r) => [`${r.type}\u0000${r.key}`, r]));
    return keys.flatMap((k) => found.get(`${k.type}\u0000${k.key}`) ?? []);
  }

  async change(put: readonly ConfigEntry[], remove: readonly ConfigKey[]): Promise<number> {
    const now = Date.now();
    return this.db.transaction().execute(async (trx) => {
      for (const k of remove) await trx.deleteFrom("config_entries").where("type", "=", k.type).where("key", "=", k.key).execute();
      for (const e of put) {
        await trx
          .insertInto("config_entries")
          .values({ type: e.type, key: e.key, value: e.value, updated_at: now })
          .onConflict((oc) => oc.columns(["type", "key"]).doUpdateSet({ value: e.value, updated_at: now }))
          .execute();
      }
      // The increment is one statement inside the transaction, so concurrent changes never share a version.
      await trx
        .insertInto("config_version")
        .values({ name: VERSION_ROW, version: 1 })
        .onConflict((oc) => oc.column("name").doUpdateSet((eb) => ({ version: eb("config_version.version", "+", 1) })))
        .execute();
      return versionIn(trx);
    });
  }
}
