/**
 * What must survive a restart. SQLite (default) and PostgreSQL implement it with the same Kysely
 * queries (`sql.ts`); later issues add jobs, notifications, conversations, workspaces, executions.
 */
export interface Store {
  /** Reads a setting. */
  getSetting(key: string): Promise<string | undefined>;
  /**
   * Stores `value` under `key` unless a value is already there, and returns the value that is stored.
   * Safe when several nodes race on the same key (first writer wins).
   */
  getOrCreateSetting(key: string, value: string): Promise<string>;
  /** Resolves when the database answers (for `/readyz`). */
  ping(): Promise<void>;
  /** Flushes and closes. */
  close(): Promise<void>;
}
