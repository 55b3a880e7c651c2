/** Tables of the store, as Kysely sees them. One schema for SQLite and PostgreSQL; JSON is stored as text. */
export interface SettingsTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface JobsTable {
  id: string;
  type: string;
  owner: string;
  status: string;
  progress: number;
  message: string | null;
  metadata: string;
  result: string | null;
  error: string | null;
  created_at: number;
  started_at: number | null;
  updated_at: number;
  completed_at: number | null;
}

export interface NotificationsTable {
  id: string;
  user_id: string | null;
  title: string;
  message: string;
  category: string;
  data: string | null;
  action_url: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface ConversationsTable {
  id: string;
  user_id: string;
  title: string | null;
  metadata: string;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
  tokens_in: number;
  tokens_out: number;
  cost: number;
}

export interface MessagesTable {
  id: string;
  conversation_id: string;
  /** Insertion order within a conversation (times can tie). */
  seq: number;
  role: string;
  content: string;
  created_at: number;
  tokens_in: number;
  tokens_out: number;
  model: string | null;
  metadata: string;
}

export interface DocumentsTable {
  id: string;
  title: string;
  content: string;
  metadata: string;
  created_at: number;
}

export interface ChatSessionsTable {
  id: string;
  owner: string;
  created_at: number;
}

export interface ChatSessionMembersTable {
  session_id: string;
  user_id: string;
  added_at: number;
}

export interface AppChatsTable {
  id: string;
  application_id: string;
  session_id: string | null;
  user_id: string;
  created_at: number;
}

export interface WorkspacesTable {
  id: string;
  name: string;
  created_at: number;
}

export interface WorkspaceMembersTable {
  workspace_id: string;
  user_id: string;
  added_at: number;
  /** Insertion order (times can tie). */
  seq: number;
}

export interface PluginExecutionsTable {
  id: string;
  plugin_id: string;
  tool_name: string;
  status: string;
  created_at: number;
  updated_at: number;
  events: number;
}

export interface PluginEventsTable {
  execution_id: string;
  seq: number;
  type: string;
  data: string;
  created_at: number;
}

/** One TrustGraph config value (`config` service); values are strings, as the real server's. */
export interface ConfigEntriesTable {
  type: string;
  key: string;
  value: string;
  updated_at: number;
}

/** The config version: one row (`name` = "config"), incremented in the transaction of each change. */
export interface ConfigVersionTable {
  name: string;
  version: number;
}

/** A stored triple of a collection (TrustGraph `triples`, graph-rag). Terms are a value and a kind. */
export interface TriplesTable {
  collection: string;
  s: string;
  /** `i` IRI, `l` literal, `b` blank node. */
  s_kind: string;
  p: string;
  p_kind: string;
  o: string;
  o_kind: string;
  /** Where the triple came from (`core:{user}:{id}`, `doc:{id}`), so unloading removes exactly it. */
  source: string;
}

/** A knowledge core: a named, per-user set of triples and graph embeddings, loadable into collections. */
export interface KgCoresTable {
  user_id: string;
  id: string;
  /** The collection named by the core's metadata when it was put, if any. */
  collection: string | null;
  created_at: number;
  updated_at: number;
}

export interface KgCoreTriplesTable {
  user_id: string;
  core_id: string;
  /** Insertion order within the core. */
  seq: number;
  s: string;
  s_kind: string;
  p: string;
  p_kind: string;
  o: string;
  o_kind: string;
}

export interface KgCoreEntitiesTable {
  user_id: string;
  core_id: string;
  seq: number;
  entity: string;
  entity_kind: string;
  /** JSON: number[][] */
  vectors: string;
}

/** Metadata of a collection (TrustGraph `collection-management`). */
export interface CollectionsTable {
  collection: string;
  user_id: string;
  name: string;
  description: string;
  /** JSON: string[] */
  tags: string;
  created_at: number;
  updated_at: number;
}

/** A started processing of a library document into a collection (TrustGraph librarian). */
export interface LibraryProcessingTable {
  id: string;
  document_id: string;
  user_id: string;
  flow: string;
  collection: string;
  /** JSON: string[] */
  tags: string;
  /** The client's `time` (seconds since the epoch in TrustGraph's clients). */
  time: number;
  created_at: number;
}

/** A chunked upload to the library in progress (TrustGraph librarian `begin-upload` …). */
export interface LibraryUploadsTable {
  id: string;
  user_id: string;
  document_id: string;
  /** JSON: the document's library fields (kind, title, metadata, collection, …). */
  document: string;
  total_size: number;
  chunk_size: number;
  total_chunks: number;
  created_at: number;
}

export interface LibraryUploadChunksTable {
  upload_id: string;
  idx: number;
  size: number;
  /** base64 */
  data: string;
}

export interface Database {
  config_entries: ConfigEntriesTable;
  config_version: ConfigVersionTable;
  settings: SettingsTable;
  jobs: JobsTable;
  notifications: NotificationsTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  documents: DocumentsTable;
  chat_sessions: ChatSessionsTable;
  chat_session_members: ChatSessionMembersTable;
  app_chats: AppChatsTable;
  workspaces: WorkspacesTable;
  workspace_members: WorkspaceMembersTable;
  plugin_executions: PluginExecutionsTable;
  plugin_events: PluginEventsTable;
  triples: TriplesTable;
  kg_cores: KgCoresTable;
  kg_core_triples: KgCoreTriplesTable;
  kg_core_entities: KgCoreEntitiesTable;
  collections: CollectionsTable;
  library_processing: LibraryProcessingTable;
  library_uploads: LibraryUploadsTable;
  library_upload_chunks: LibraryUploadChunksTable;
}
