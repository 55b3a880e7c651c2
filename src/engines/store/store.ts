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
  /** TrustGraph's `config` service (and the flows and blueprints kept in it). */
  readonly config: ConfigStore;
  /** Resolves when the database answers (for `/readyz`). */
  ping(): Promise<void>;
  /** Flushes and closes. */
  close(): Promise<void>;
}
