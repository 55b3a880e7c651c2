/** JSON columns are text, so the same schema works on SQLite and PostgreSQL. */
export const toJson = (v: unknown): string => JSON.stringify(v ?? null);
export const fromJson = (s: string | null): unknown => (s === null ? null : JSON.parse(s));
/** PostgreSQL returns bigint as a string; SQLite as a number. */
export const num = (v: number | string | bigint): number => Number(v);
export const numOrNull = (v: number | string | bigint | null): number | null => (v === null ? null : Number(v));
