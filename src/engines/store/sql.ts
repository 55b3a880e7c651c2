import { Migrator, sql, type Kysely, type MigrationProvider } from "kysely";
import { migrations } from "./migrations.js";
import type { Database } from "./schema.js";
import type { Store } from "./store.js";

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

/** Runs pending migrations; throws with the failing migration's name. */
export async function migrate(db: Kysely<Database>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`store migration ${failed} failed`, { cause: error });
  }
}

/** The store's queries, shared by every SQL engine. */
export class SqlStore implements Store {
  constructor(protected readonly db: Kysely<Database>) {}

  async getSetting(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirst();
    return row?.value;
  }

  async getOrCreateSetting(key: string, value: string): Promise<string> {
    await this.db
      .insertInto("settings")
      .values({ key, value, updated_at: Date.now() })
      .onConflict((oc) => oc.column("key").doNothing())
      .execute();
    const stored = await this.getSetting(key);
    if (stored === undefined) throw new Error(`setting ${key} vanished after insert`);
    return stored;
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
