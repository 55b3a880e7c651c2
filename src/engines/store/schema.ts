/** Tables of the store, as Kysely sees them. One schema for SQLite and PostgreSQL. */
export interface SettingsTable {
  key: string;
  value: string;
  /** ms since the epoch */
  updated_at: number;
}

export interface Database {
  settings: SettingsTable;
}
