import { PostgresAdapter, sql, type Kysely, type Migration } from "kysely";

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
  "0002_jobs_notifications_conversations_documents": {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("jobs")
        .addColumn("id", "varchar(128)", (c) => c.primaryKey())
        .addColumn("type", "varchar(128)", (c) => c.notNull())
        .addColumn("owner", "varchar(255)", (c) => c.notNull())
        .addColumn("status", "varchar(16)", (c) => c.notNull())
        .addColumn("progress", "integer", (c) => c.notNull())
        .addColumn("message", "text")
        .addColumn("metadata", "text", (c) => c.notNull())
        .addColumn("result", "text")
        .addColumn("error", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("started_at", "bigint")
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addColumn("completed_at", "bigint")
        .execute();
      await db.schema
        .createTable("notifications")
        .addColumn("id", "varchar(64)", (c) => c.primaryKey())
        .addColumn("user_id", "varchar(255)")
        .addColumn("title", "text", (c) => c.notNull())
        .addColumn("message", "text", (c) => c.notNull())
        .addColumn("category", "varchar(16)", (c) => c.notNull())
        .addColumn("data", "text")
        .addColumn("action_url", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("delivered_at", "bigint")
        .execute();
      await db.schema.createIndex("notifications_user_idx").on("notifications").columns(["user_id", "created_at"]).execute();
      await db.schema
        .createTable("conversations")
        .addColumn("id", "varchar(128)", (c) => c.primaryKey())
        .addColumn("user_id", "varchar(255)", (c) => c.notNull())
        .addColumn("title", "text")
        .addColumn("metadata", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addColumn("ended_at", "bigint")
        .addColumn("tokens_in", "integer", (c) => c.notNull())
        .addColumn("tokens_out", "integer", (c) => c.notNull())
        .addColumn("cost", "double precision", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("conversations_user_idx").on("conversations").columns(["user_id", "updated_at"]).execute();
      await db.schema
        .createTable("messages")
        .addColumn("id", "varchar(64)", (c) => c.primaryKey())
        .addColumn("conversation_id", "varchar(128)", (c) => c.notNull())
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("role", "varchar(16)", (c) => c.notNull())
        .addColumn("content", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("tokens_in", "integer", (c) => c.notNull())
        .addColumn("tokens_out", "integer", (c) => c.notNull())
        .addColumn("model", "varchar(255)")
        .addColumn("metadata", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("messages_conversation_idx").on("messages").columns(["conversation_id", "seq"]).unique().execute();
      await db.schema
        .createTable("documents")
        .addColumn("id", "varchar(128)", (c) => c.primaryKey())
        .addColumn("title", "text", (c) => c.notNull())
        .addColumn("content", "text", (c) => c.notNull())
        .addColumn("metadata", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
    },
  },
  "0003_nadoo_sessions_workspaces_plugin_executions": {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("chat_sessions")
        .addColumn("id", "varchar(128)", (c) => c.primaryKey())
        .addColumn("owner", "varchar(255)", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("chat_session_members")
        .addColumn("session_id", "varchar(128)", (c) => c.notNull())
        .addColumn("user_id", "varchar(255)", (c) => c.notNull())
        .addColumn("added_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("chat_session_members_pk", ["session_id", "user_id"])
        .execute();
      await db.schema.createIndex("chat_session_members_user_idx").on("chat_session_members").columns(["user_id"]).execute();
      await db.schema
        .createTable("app_chats")
        .addColumn("id", "varchar(128)", (c) => c.primaryKey())
        .addColumn("application_id", "varchar(255)", (c) => c.notNull())
        .addColumn("session_id", "varchar(128)")
        .addColumn("user_id", "varchar(255)", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("app_chats_app_user_idx").on("app_chats").columns(["application_id", "user_id"]).execute();
      await db.schema.createIndex("app_chats_app_session_idx").on("app_chats").columns(["application_id", "session_id"]).execute();
      await db.schema
        .createTable("workspaces")
        .addColumn("id", "varchar(128)", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("workspace_members")
        .addColumn("workspace_id", "varchar(128)", (c) => c.notNull())
        .addColumn("user_id", "varchar(255)", (c) => c.notNull())
        .addColumn("added_at", "bigint", (c) => c.notNull())
        .addColumn("seq", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("workspace_members_pk", ["workspace_id", "user_id"])
        .execute();
      await db.schema
        .createTable("plugin_executions")
        .addColumn("id", "varchar(64)", (c) => c.primaryKey())
        .addColumn("plugin_id", "varchar(255)", (c) => c.notNull())
        .addColumn("tool_name", "varchar(255)", (c) => c.notNull())
        .addColumn("status", "varchar(16)", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addColumn("events", "integer", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("plugin_events")
        .addColumn("execution_id", "varchar(64)", (c) => c.notNull())
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("type", "varchar(32)", (c) => c.notNull())
        .addColumn("data", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("plugin_events_pk", ["execution_id", "seq"])
        .execute();
    },
  },
  "0004_config": {
    async up(db: Kysely<unknown>): Promise<void> {
      // TrustGraph's configuration: string values by (type, key), plus one version row bumped by each change.
      await db.schema
        .createTable("config_entries")
        .addColumn("type", "varchar(255)", (c) => c.notNull())
        .addColumn("key", "varchar(255)", (c) => c.notNull())
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("config_entries_pk", ["type", "key"])
        .execute();
      await db.schema
        .createTable("config_version")
        .addColumn("name", "varchar(32)", (c) => c.primaryKey())
        .addColumn("version", "bigint", (c) => c.notNull())
        .execute();
    },
  },
  "0005_knowledge": {
    async up(db: Kysely<unknown>): Promise<void> {
      // Triples: the primary key starts with (collection, s, p, o), which serves s, sp and spo patterns;
      // the two indexes serve p/po and o/os, so no pattern scans the whole table.
      await db.schema
        .createTable("triples")
        .addColumn("collection", "varchar(255)", (c) => c.notNull())
        .addColumn("s", "text", (c) => c.notNull())
        .addColumn("s_kind", "varchar(1)", (c) => c.notNull())
        .addColumn("p", "text", (c) => c.notNull())
        .addColumn("p_kind", "varchar(1)", (c) => c.notNull())
        .addColumn("o", "text", (c) => c.notNull())
        .addColumn("o_kind", "varchar(1)", (c) => c.notNull())
        .addColumn("source", "varchar(600)", (c) => c.notNull())
        .addPrimaryKeyConstraint("triples_pk", ["collection", "s", "p", "o", "s_kind", "p_kind", "o_kind", "source"])
        .execute();
      await db.schema.createIndex("triples_po_idx").on("triples").columns(["collection", "p", "o"]).execute();
      await db.schema.createIndex("triples_os_idx").on("triples").columns(["collection", "o", "s"]).execute();
      await db.schema.createIndex("triples_source_idx").on("triples").columns(["source", "collection"]).execute();
      await db.schema
        .createTable("kg_cores")
        .addColumn("user_id", "varchar(255)", (c) => c.notNull())
        .addColumn("id", "varchar(255)", (c) => c.notNull())
        .addColumn("collection", "varchar(255)")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("kg_cores_pk", ["user_id", "id"])
        .execute();
      await db.schema
        .createTable("kg_core_triples")
        .addColumn("user_id", "varchar(255)", (c) => c.notNull())
        .addColumn("core_id", "varchar(255)", (c) => c.notNull())
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("s", "text", (c) => c.notNull())
        .addColumn("s_kind", "varchar(1)", (c) => c.notNull())
        .addColumn("p", "text", (c) => c.notNull())
        .addColumn("p_kind", "varchar(1)", (c) => c.notNull())
        .addColumn("o", "text", (c) => c.notNull())
        .addColumn("o_kind", "varchar(1)", (c) => c.notNull())
        .addPrimaryKeyConstraint("kg_core_triples_pk", ["user_id", "core_id", "seq"])
        .execute();
      await db.schema
        .createTable("kg_core_entities")
        .addColumn("user_id", "varchar(255)", (c) => c.notNull())
        .addColumn("core_id", "varchar(255)", (c) => c.notNull())
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("entity", "text", (c) => c.notNull())
        .addColumn("entity_kind", "varchar(1)", (c) => c.notNull())
        .addColumn("vectors", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("kg_core_entities_pk", ["user_id", "core_id", "seq"])
        .execute();
      await db.schema
        .createTable("collections")
        .addColumn("collection", "varchar(255)", (c) => c.primaryKey())
        .addColumn("user_id", "varchar(255)", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("description", "text", (c) => c.notNull())
        .addColumn("tags", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("library_processing")
        .addColumn("id", "varchar(255)", (c) => c.primaryKey())
        .addColumn("document_id", "varchar(128)", (c) => c.notNull())
        .addColumn("user_id", "varchar(255)", (c) => c.notNull())
        .addColumn("flow", "varchar(255)", (c) => c.notNull())
        .addColumn("collection", "varchar(255)", (c) => c.notNull())
        .addColumn("tags", "text", (c) => c.notNull())
        .addColumn("time", "bigint", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("library_processing_document_idx").on("library_processing").columns(["document_id"]).execute();
      await db.schema.createIndex("library_processing_collection_idx").on("library_processing").columns(["collection"]).execute();
    },
  },
  "0006_library_uploads": {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("library_uploads")
        .addColumn("id", "varchar(64)", (c) => c.primaryKey())
        .addColumn("user_id", "varchar(255)", (c) => c.notNull())
        .addColumn("document_id", "varchar(128)", (c) => c.notNull())
        .addColumn("document", "text", (c) => c.notNull())
        .addColumn("total_size", "bigint", (c) => c.notNull())
        .addColumn("chunk_size", "integer", (c) => c.notNull())
        .addColumn("total_chunks", "integer", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("library_uploads_user_idx").on("library_uploads").columns(["user_id", "created_at"]).execute();
      // Chunk bytes as base64 text: one column type for SQLite and PostgreSQL.
      await db.schema
        .createTable("library_upload_chunks")
        .addColumn("upload_id", "varchar(64)", (c) => c.notNull())
        .addColumn("idx", "integer", (c) => c.notNull())
        .addColumn("size", "integer", (c) => c.notNull())
        .addColumn("data", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("library_upload_chunks_pk", ["upload_id", "idx"])
        .execute();
    },
  },
  "0007_postgres_hashed_triple_terms": {
    // PostgreSQL only (nothing to do on SQLite, whose index entries have no size limit): a btree entry
    // holds at most ~2.7 KB, so a triple with a long literal could not be stored while its terms were
    // index keys. The primary key becomes a unique index on the terms' md5 (with the kinds, source and
    // collection, so the insert's ON CONFLICT DO NOTHING still dedups); the pattern indexes hash the terms
    // too, and SqlTriples matches on md5(term) as well as the term when the store hashes terms.
    async up(db: Kysely<unknown>): Promise<void> {
      if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
      await db.schema.alterTable("triples").dropConstraint("triples_pk").execute();
      await db.schema
        .createIndex("triples_key_idx")
        .on("triples")
        .unique()
        .expression(sql`collection, md5(s), md5(p), md5(o), s_kind, p_kind, o_kind, source`)
        .execute();
      await db.schema.dropIndex("triples_po_idx").execute();
      await db.schema.dropIndex("triples_os_idx").execute();
      await db.schema.createIndex("triples_po_idx").on("triples").expression(sql`collection, md5(p), md5(o)`).execute();
      await db.schema.createIndex("triples_os_idx").on("triples").expression(sql`collection, md5(o), md5(s)`).execute();
    },
  },
};
