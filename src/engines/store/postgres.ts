import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { Database } from "./schema.js";
import { migrate, SqlStore } from "./sql/index.js";

export const DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";
export const DEFAULT_POSTGRES_POOL_SIZE = 10;

export interface PostgresStoreOptions {
  /** Connection string, e.g. postgres://user:pass@host:5432/db. */
  url: string;
  /** Connections in the pool (per gateway node). */
  poolSize?: number;
  /** Schema holding the tables (created if missing); the pool's search_path. Default `public`. */
  schema?: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The PostgreSQL store: the same schema, migrations and queries as SQLite (sql/*.ts), over a pg pool.
 * Several gateway nodes may share one database: kysely's migrator takes an advisory lock, so nodes starting
 * at once migrate once. Each pooled connection's search_path is the store's schema.
 */
export class PostgresStore extends SqlStore {
  /** Connects, creates the schema if needed and runs migrations. Fails naming the cause if unreachable. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const schema = options.schema ?? "public";
    if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${schema}`);
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? DEFAULT_POSTGRES_POOL_SIZE,
      options: `-c search_path=${schema}`,
    });
    // An idle client's error (e.g. the server restarting) must not crash the process; the next query fails instead.
    pool.on("error", () => undefined);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    try {
      if (schema !== "public") {
        // `create schema if not exists` races with itself (unique violation) when nodes start at once.
        await db.transaction().execute(async (trx) => {
          await sql`select pg_advisory_xact_lock(hashtext('livegate:create-schema'))`.execute(trx);
          await sql`create schema if not exists ${sql.id(schema)}`.execute(trx);
        });
      }
      await migrate(db, schema);
    } catch (err) {
      await db.destroy();
      throw err;
    }
    return new PostgresStore(db, { hashedTerms: true });
  }
}
