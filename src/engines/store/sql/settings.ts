import type { Kysely } from "kysely";
import type { Database } from "../schema.js";
import type { SettingsStore } from "../store.js";

export class SqlSettings implements SettingsStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirst();
    return row?.value;
  }

  async getOrCreate(key: string, value: string): Promise<string> {
    await this.db
      .insertInto("settings")
      .values({ key, value, updated_at: Date.now() })
      .onConflict((oc) => oc.column("key").doNothing())
      .execute();
    const stored = await this.get(key);
    if (stored === undefined) throw new Error(`setting ${key} vanished after insert`);
    return stored;
  }
}
