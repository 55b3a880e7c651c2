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
  create(c: Pick<ConversationRecord, "id" | "userId" | "title" | "metadata">): Promise<ConversationRecord>;
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

/** The whole store, one part per domain. */
export interface Store {
  readonly settings: SettingsStore;
  readonly jobs: JobStore;
  readonly notifications: NotificationStore;
  readonly conversations: ConversationStore;
  readonly documents: DocumentStore;
  /** Resolves when the database answers (for `/readyz`). */
  ping(): Promise<void>;
  /** Flushes and closes. */
  close(): Promise<void>;
}
