import { mkdirSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import type { Database } from "./schema.js";
import { migrate, SqlStore } from "./sql/index.js";

/** The default store: one SQLite file (`livegate.db`) in the data dir, WAL mode, migrated at open. */
export class SqliteStore extends SqlStore {
  /** Opens (creating if needed) `<dataDir>/livegate.db` and runs migrations. */
  static async open(dataDir: string): Promise<SqliteStore> {
    mkdirSync(dataDir, { recursive: true });
    const file = new BetterSqlite3(join(dataDir, "livegate.db"));
    file.pragma("journal_mode = WAL");
    file.pragma("synchronous = NORMAL");
    file.pragma("busy_timeout = 5000");
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: file }) });
    await migrate(db);
    return new SqliteStore(db);
  }
}
