/**
 * What must survive a restart. SQLite (default) and PostgreSQL implement it with the same Kysely
 * queries (`sql/*.ts`). Times are milliseconds since the epoch; JSON values are any JSON.
 */

/** Key/value settings (development secrets). */
export interface SettingsStore {
  get(key: string): Promise<string | undefined>;
  /** Stores `value` unless `key` has one; returns the stored value (first writer wins across nodes). */
  getOrCreate(key: string, value: string): Promise<string>;
}

export type JobStatus = "pending" | "started" | "completed" | "failed";

export interface JobRecord {
  id: string;
  type: string;
  /** User id of the owner: the only user whose sockets may follow the job. */
  owner: string;
  status: JobStatus;
  /** 0–100 */
  progress: number;
  message: string | null;
  metadata: unknown;
  result: unknown;
  error: string | null;
  createdAt: number;
  startedAt: number | null;
  updatedAt: number;
  completedAt: number | null;
}

export type JobPatch = Partial<Pick<JobRecord, "status" | "progress" | "message" | "result" | "error" | "startedAt" | "completedAt">>;

export interface JobStore {
  create(job: Pick<JobRecord, "id" | "type" | "owner" | "metadata">): Promise<JobRecord>;
  get(id: string): Promise<JobRecord | undefined>;
  /** Applies `patch` unless the job is finished; returns the job as stored afterwards. */
  update(id: string, patch: JobPatch): Promise<JobRecord | undefined>;
}

export type NotificationCategory = "info" | "success" | "warning" | "error";

export interface NotificationRecord {
  id: string;
  /** Recipient; null for a broadcast. */
  userId: string | null;
  title: string;
  message: string;
  category: NotificationCategory;
  data: unknown;
  actionUrl: string | null;
  createdAt: number;
  /** When a socket of the recipient received it; null while undelivered. */
  deliveredAt: number | null;
}

export interface NotificationStore {
  create(n: Omit<NotificationRecord, "deliveredAt">): Promise<NotificationRecord>;
  /** A user's undelivered notifications, oldest first. */
  undelivered(userId: string, limit: number): Promise<NotificationRecord[]>;
  markDelivered(ids: readonly string[], at: number): Promise<void>;
  /** A user's notifications (not broadcasts), newest first. */
  list(userId: string, limit: number): Promise<NotificationRecord[]>;
}

export interface ConversationRecord {
  id: string;
  userId: string;
  title: string | null;
  metadata: unknown;
  createdAt: number;
  updatedAt: number;
  endedAt: number | null;
  tokensIn: number;
  tokensOut: number;
  /** Accumulated cost in the configured currency unit. */
  cost: number;
}

export type MessageRole = "system" | "user" | "assistant";

export interface MessageRecord {
  id: string;
  conversationId: string;
  role: MessageRole;
  content: string;
  createdAt: number;
  tokensIn: number;
  tokensOut: number;
  model: string | null;
  metadata: unknown;
}

export interface ConversationStore {
  /**
   * Creates a conversation; with `first`, also stores its first message (a new chat's question) in the same
   * write, its tokens counted in the totals, as `create` then `addMessage(first, 0)` would.
   */
  create(
    c: Pick<ConversationRecord, "id" | "userId" | "title" | "metadata">,
    first?: Omit<MessageRecord, "createdAt" | "conversationId">,
  ): Promise<ConversationRecord>;
  get(id: string): Promise<ConversationRecord | undefined>;
  /** A user's conversations, most recently updated first. */
  list(userId: string, limit: number): Promise<ConversationRecord[]>;
  end(id: string, at: number): Promise<void>;
  /** Appends a message and adds its tokens and cost to the conversation's totals. */
  addMessage(m: Omit<MessageRecord, "createdAt">, cost: number): Promise<MessageRecord>;
  /** Messages oldest first; with `limit`, the newest `limit` of them. */
  messages(conversationId: string, opts?: { limit?: number; since?: number }): Promise<MessageRecord[]>;
}

export interface DocumentRecord {
  id: string;
  title: string;
  content: string;
  metadata: unknown;
  createdAt: number;
}

export interface DocumentStore {
  /** Inserts or replaces. */
  put(d: DocumentRecord): Promise<void>;
  get(id: string): Promise<DocumentRecord | undefined>;
  remove(id: string): Promise<boolean>;
  all(): Promise<DocumentRecord[]>;
}

/** A chat session of Nadoo's `/ws/chat/{session_id}`: its owner is the first user who opened it. */
export interface ChatSessionRecord {
  id: string;
  owner: string;
  createdAt: number;
}

/** A chat (a conversation) of an application, and the session it was started in, if any. */
export interface AppChatRecord {
  /** The conversation id (Nadoo's `chat_id`). */
  id: string;
  applicationId: string;
  sessionId: string | null;
  /** The user who started the chat. */
  userId: string;
  createdAt: number;
}

/** A stored message with the chat and application it belongs to. */
export interface AppMessageRecord extends MessageRecord {
  applicationId: string;
  sessionId: string | null;
}

/** Which messages of an application a user may read, and which page. */
export interface AppMessageQuery {
  applicationId: string;
  /** The reader: chats the user started, or started in a session the user owns or is a member of. */
  userId: string;
  /** Only these chats (already checked by the caller); when set, `userId` does not filter. */
  chatIds?: readonly string[] | undefined;
  /** Only messages created after this time (ms). */
  since?: number | undefined;
  limit: number;
  offset: number;
}

export interface ChatSessionStore {
  /** The session, created with `owner` if it does not exist yet (first writer wins across nodes). */
  claim(id: string, owner: string): Promise<ChatSessionRecord>;
  get(id: string): Promise<ChatSessionRecord | undefined>;
  /** Adds a member; returns false if the user already was one. */
  addMember(id: string, userId: string): Promise<boolean>;
  isMember(id: string, userId: string): Promise<boolean>;
  members(id: string): Promise<string[]>;
  /** Records which application (and session) a chat belongs to; a chat already recorded is kept as is. */
  linkChat(chat: Omit<AppChatRecord, "createdAt">): Promise<AppChatRecord>;
  chat(id: string): Promise<AppChatRecord | undefined>;
  /** Messages oldest first (by time, then chat, then order in the chat), one page. */
  messages(q: AppMessageQuery): Promise<AppMessageRecord[]>;
}

export interface WorkspaceRecord {
  id: string;
  name: string;
  createdAt: number;
}

export interface WorkspaceStore {
  /** Creates a workspace with its first members; returns undefined if the id is taken. */
  create(w: Pick<WorkspaceRecord, "id" | "name">, members: readonly string[]): Promise<WorkspaceRecord | undefined>;
  get(id: string): Promise<WorkspaceRecord | undefined>;
  /** Adds a member; returns false if the user already was one. */
  addMember(id: string, userId: string): Promise<boolean>;
  isMember(id: string, userId: string): Promise<boolean>;
  /** Member user ids, in the order they were added. */
  members(id: string): Promise<string[]>;
}

export type PluginExecutionStatus = "running" | "completed" | "failed";

export interface PluginExecutionRecord {
  id: string;
  pluginId: string;
  toolName: string;
  status: PluginExecutionStatus;
  createdAt: number;
  updatedAt: number;
  /** Number of debug events recorded. */
  events: number;
}

/** One recorded debug event of a plugin execution. */
export interface PluginEventRecord {
  executionId: string;
  /** 1, 2, 3, … per execution. */
  seq: number;
  type: string;
  data: unknown;
  createdAt: number;
}

export interface PluginExecutionStore {
  create(e: Pick<PluginExecutionRecord, "id" | "pluginId" | "toolName">): Promise<PluginExecutionRecord>;
  get(id: string): Promise<PluginExecutionRecord | undefined>;
  /**
   * Appends an event (numbered after the last one) and, if given, sets the status, in one transaction.
   * Returns undefined when the execution does not exist or is no longer running.
   */
  append(id: string, event: Pick<PluginEventRecord, "type" | "data">, status?: PluginExecutionStatus): Promise<PluginEventRecord | undefined>;
  /** The newest `limit` events, oldest first. */
  events(id: string, limit: number): Promise<PluginEventRecord[]>;
}

/** A config key of TrustGraph's `config` service. */
export interface ConfigKey {
  type: string;
  key: string;
}

/** A config value: always a string (JSON documents are stored as their text). */
export interface ConfigEntry extends ConfigKey {
  value: string;
}

/** TrustGraph's configuration: typed key/value strings and a version bumped by every change. */
export interface ConfigStore {
  /** The current version (0 before the first change). */
  version(): Promise<number>;
  /** Every entry, sorted by type then key, with the version they belong to (read in one transaction). */
  all(): Promise<{ version: number; entries: ConfigEntry[] }>;
  /** Entries of one type, sorted by key. */
  ofType(type: string): Promise<ConfigEntry[]>;
  /** The entries that exist among `keys`, in the order of `keys`. */
  get(keys: readonly ConfigKey[]): Promise<ConfigEntry[]>;
  /**
   * Writes `put` and removes `remove` in one transaction and increments the version; returns the new
   * version. Two nodes changing config at once get distinct versions.
   */
  change(put: readonly ConfigEntry[], remove: readonly ConfigKey[]): Promise<number>;
}

/** Kind of an RDF term: `i` IRI, `l` literal, `b` blank node. */
export type TermKind = "i" | "l" | "b";

/** An RDF term as stored: its value (IRI, literal text or blank node id) and its kind. */
export interface TermRecord {
  value: string;
  kind: TermKind;
}

export interface TripleRecord {
  s: TermRecord;
  p: TermRecord;
  o: TermRecord;
}

/** A term in a query: the value, and the kind only when it must match too. */
export interface TermPattern {
  value: string;
  kind?: TermKind | undefined;
}

/** A triple pattern: absent positions match anything. */
export interface TriplePattern {
  s?: TermPattern | undefined;
  p?: TermPattern | undefined;
  o?: TermPattern | undefined;
}

/**
 * The triples of every collection. A triple is stored once per source (`core:{user}:{id}`, `doc:{id}`),
 * so unloading one source never removes what another brought; queries return each triple once.
 */
export interface TripleStore {
  /** Adds triples of `source` to `collection` (already present ones are kept); returns how many were new. */
  add(collection: string, source: string, triples: readonly TripleRecord[]): Promise<number>;
  /** Distinct triples matching the pattern, at most `limit`, ordered by s, p, o or by the index used. */
  match(collection: string, pattern: TriplePattern, limit: number): Promise<TripleRecord[]>;
  /**
   * Triples whose subject or object contains `text`, at most `limit`. Case-insensitive for ASCII; other
   * letters match in lower case, Capitalized or UPPER case (SQLite folds ASCII only).
   */
  containing(collection: string, text: string, limit: number): Promise<TripleRecord[]>;
  /** Removes the triples `source` brought, in one collection or all; returns how many rows went. */
  removeSource(source: string, collection?: string): Promise<number>;
  /** Removes every triple of a collection; returns how many rows went. */
  removeCollection(collection: string): Promise<number>;
  /** Collections that hold triples, by name. */
  collections(): Promise<string[]>;
}

/** A knowledge core's header. */
export interface KnowledgeCoreRecord {
  user: string;
  id: string;
  /** The collection the core's metadata named when it was put, if any. */
  collection: string | null;
  createdAt: number;
  updatedAt: number;
}

/** An entity of a core's graph embeddings and its vectors. */
export interface EntityEmbeddingRecord {
  entity: TermRecord;
  vectors: number[][];
}

/** One page of a core's stored triples or entities, and where the next page starts. */
export interface CorePage<T> {
  items: T[];
  /** Pass as `after` to read the next page; undefined when this page was the last. */
  next: number | undefined;
}

export interface KnowledgeCoreStore {
  /** Appends triples and entities to a core (created if absent) in one transaction. */
  append(
    user: string,
    id: string,
    part: { collection?: string | undefined; triples: readonly TripleRecord[]; entities: readonly EntityEmbeddingRecord[] },
  ): Promise<KnowledgeCoreRecord>;
  get(user: string, id: string): Promise<KnowledgeCoreRecord | undefined>;
  /** A user's core ids, sorted. */
  list(user: string): Promise<string[]>;
  /** Triples in insertion order, `limit` per page, after position `after` (0 for the first page). */
  triples(user: string, id: string, after: number, limit: number): Promise<CorePage<TripleRecord>>;
  entities(user: string, id: string, after: number, limit: number): Promise<CorePage<EntityEmbeddingRecord>>;
  /** Removes a core with its triples and entities; false if there was none. */
  remove(user: string, id: string): Promise<boolean>;
}

/** A collection's metadata. */
export interface CollectionRecord {
  collection: string;
  /** The user who created it. */
  user: string;
  name: string;
  description: string;
  tags: string[];
  createdAt: number;
  updatedAt: number;
}

export interface CollectionStore {
  /** Creates or updates; fields left undefined keep their stored value (or are empty on create). */
  upsert(c: { collection: string; user: string; name?: string | undefined; description?: string | undefined; tags?: readonly string[] | undefined }): Promise<CollectionRecord>;
  /** Creates the collection with empty metadata unless it exists (first writer wins). */
  ensure(collection: string, user: string): Promise<void>;
  get(collection: string): Promise<CollectionRecord | undefined>;
  /** Every collection, or a user's, sorted by name. */
  list(user?: string): Promise<CollectionRecord[]>;
  remove(collection: string): Promise<boolean>;
}

/** A processing of a library document into a collection. */
export interface ProcessingRecord {
  id: string;
  documentId: string;
  user: string;
  flow: string;
  collection: string;
  tags: string[];
  time: number;
  createdAt: number;
}

export interface ProcessingStore {
  /** Stores a processing; false if its id is taken. */
  create(p: Omit<ProcessingRecord, "createdAt">): Promise<boolean>;
  get(id: string): Promise<ProcessingRecord | undefined>;
  /** Every processing, or a user's, oldest first. */
  list(user?: string): Promise<ProcessingRecord[]>;
  /** Processings of one collection, oldest first. */
  inCollection(collection: string): Promise<ProcessingRecord[]>;
  remove(id: string): Promise<boolean>;
  /** Removes every processing of a document; returns how many went. */
  removeDocument(documentId: string): Promise<number>;
  /** Removes every processing into a collection; returns how many went. */
  removeCollection(collection: string): Promise<number>;
}

/** A chunked upload in progress. */
export interface UploadRecord {
  id: string;
  user: string;
  documentId: string;
  /** The document's library fields, stored as given until the upload completes. */
  document: unknown;
  totalSize: number;
  chunkSize: number;
  totalChunks: number;
  createdAt: number;
}

export interface UploadStore {
  create(u: UploadRecord): Promise<void>;
  get(id: string): Promise<UploadRecord | undefined>;
  /** A user's uploads, oldest first. */
  list(user: string): Promise<UploadRecord[]>;
  /** Stores a chunk (replacing one with the same index). */
  putChunk(id: string, index: number, data: Uint8Array): Promise<void>;
  /** Indexes and sizes of the chunks received, by index. */
  received(id: string): Promise<{ index: number; size: number }[]>;
  /** The chunks' bytes, concatenated in index order. */
  assemble(id: string): Promise<Buffer>;
  /** Removes the upload and its chunks; false if there was none. */
  remove(id: string): Promise<boolean>;
}

/** The whole store, one part per domain. */
export interface Store {
  readonly settings: SettingsStore;
  readonly jobs: JobStore;
  readonly notifications: NotificationStore;
  readonly conversations: ConversationStore;
  readonly documents: DocumentStore;
  readonly chatSessions: ChatSessionStore;
  readonly workspaces: WorkspaceStore;
  readonly pluginExecutions: PluginExecutionStore;
  readonly triples: TripleStore;
  readonly knowledgeCores: KnowledgeCoreStore;
  readonly collections: CollectionStore;
  readonly processing: ProcessingStore;
  readonly uploads: UploadStore;
  /** TrustGraph's `config` service (and the flows and blueprints kept in it). */
  readonly config: ConfigStore;
  /** Resolves when the database answers (for `/readyz`). */
  ping(): Promise<void>;
  /** Flushes and closes. */
  close(): Promise<void>;
}
