import type { Kysely, Migration } from "kysely";

/**
 * Migrations, applied in name order at start. Written with Kysely's schema builder only, so the same
 * migration runs on SQLite and PostgreSQL. Never edit a released migration; add the next one.
 */
export const migrations: Record<string, Migration> = {
  "0001_settings": {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("settings")
        .addColumn("key", "varchar(255)", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
    },
  },
};
