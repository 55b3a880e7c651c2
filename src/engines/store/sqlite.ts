import { mkdirSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect, type SqliteDatabase, type SqliteStatement } from "kysely";
import type { Database } from "./schema.js";
import { migrate, SqlStore } from "./sql/index.js";

/** Prepared statements kept per database, by SQL text (the store's queries are a few dozen shapes). */
export const STATEMENT_CACHE_SIZE = 256;

/**
 * The database as kysely sees it, with prepared statements kept for reuse: kysely calls `prepare(sql)` for
 * every query, and compiling the SQL anew each time costs more than running it. The cache is an LRU of at
 * most `max` statements by SQL text (queries with a variable number of parameters make new texts).
 *
 * Reuse is safe: kysely's SQLite driver runs one query at a time (a mutex on its single connection) and
 * only calls `all`/`run`/`iterate`, which rebind every parameter; a statement that is still busy (an
 * iteration not yet finished) is not handed out again, a fresh one is prepared instead. `close()` closes
 * the database (which finalizes every statement) and empties the cache.
 */
export function withStatementCache(db: BetterSqlite3.Database, max = STATEMENT_CACHE_SIZE): SqliteDatabase & { readonly cachedStatements: number } {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    get cachedStatements() {
      return cache.size;
    },
    prepare(sql: string): SqliteStatement {
      const hit = cache.get(sql);
      if (hit && !hit.busy) {
        // Most recently used last: Map keeps insertion order.
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const stmt = db.prepare(sql);
      if (!hit) {
        cache.set(sql, stmt);
        if (cache.size > max) cache.delete(cache.keys().next().value!);
      }
      return stmt;
    },
    close(): void {
      cache.clear();
      db.close();
    },
  };
}

/** The default store: one SQLite file (`livegate.db`) in the data dir, WAL mode, migrated at open. */
export class SqliteStore extends SqlStore {
  /** Opens (creating if needed) `<dataDir>/livegate.db` and runs migrations. */
  static async open(dataDir: string): Promise<SqliteStore> {
    mkdirSync(dataDir, { recursive: true });
    const file = new BetterSqlite3(join(dataDir, "livegate.db"));
    file.pragma("journal_mode = WAL");
    file.pragma("synchronous = NORMAL");
    file.pragma("busy_timeout = 5000");
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(file) }) });
    await migrate(db);
    return new SqliteStore(db);
  }
}
