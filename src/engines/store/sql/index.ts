import { Migrator, sql, type Kysely, type MigrationProvider } from "kysely";
import { migrations } from "../migrations.js";
import type { Database } from "../schema.js";
import type { Store } from "../store.js";
import { SqlChatSessions } from "./chat-sessions.js";
import { SqlCollections } from "./collections.js";
import { SqlConfig } from "./config.js";
import { SqlConversations } from "./conversations.js";
import { SqlDocuments } from "./documents.js";
import { SqlJobs } from "./jobs.js";
import { SqlKnowledgeCores } from "./knowledge-cores.js";
import { SqlNotifications } from "./notifications.js";
import { SqlPluginExecutions } from "./plugin-executions.js";
import { SqlProcessing } from "./processing.js";
import { SqlSettings } from "./settings.js";
import { SqlTriples } from "./triples.js";
import { SqlUploads } from "./uploads.js";
import { SqlWorkspaces } from "./workspaces.js";

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

/**
 * Runs pending migrations; throws with the failing migration's name. `migrationTableSchema` names the
 * PostgreSQL schema that holds kysely's migration tables (kysely otherwise finds them in any schema).
 */
export async function migrate(db: Kysely<Database>, migrationTableSchema?: string): Promise<void> {
  const migrator = new Migrator(migrationTableSchema === undefined ? { db, provider } : { db, provider, migrationTableSchema });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`store migration ${failed} failed`, { cause: error });
  }
}

/** The store's queries, shared by every SQL engine. */
export class SqlStore implements Store {
  readonly settings: SqlSettings;
  readonly jobs: SqlJobs;
  readonly notifications: SqlNotifications;
  readonly conversations: SqlConversations;
  readonly documents: SqlDocuments;
  readonly chatSessions: SqlChatSessions;
  readonly workspaces: SqlWorkspaces;
  readonly pluginExecutions: SqlPluginExecutions;
  readonly triples: SqlTriples;
  readonly knowledgeCores: SqlKnowledgeCores;
  readonly collections: SqlCollections;
  readonly processing: SqlProcessing;
  readonly uploads: SqlUploads;
  readonly config: SqlConfig;

  /** `hashedTerms`: the database indexes triple terms by their md5 (PostgreSQL). */
  constructor(
    protected readonly db: Kysely<Database>,
    { hashedTerms = false }: { hashedTerms?: boolean } = {},
  ) {
    this.settings = new SqlSettings(db);
    this.jobs = new SqlJobs(db);
    this.notifications = new SqlNotifications(db);
    this.conversations = new SqlConversations(db);
    this.documents = new SqlDocuments(db);
    this.chatSessions = new SqlChatSessions(db);
    this.workspaces = new SqlWorkspaces(db);
    this.pluginExecutions = new SqlPluginExecutions(db);
    this.triples = new SqlTriples(db, hashedTerms);
    this.knowledgeCores = new SqlKnowledgeCores(db);
    this.collections = new SqlCollections(db);
    this.processing = new SqlProcessing(db);
    this.uploads = new SqlUploads(db);
    this.config = new SqlConfig(db);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
