import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "../../src/engines/store/sqlite.js";

/** A real SQLite store in a fresh temp dir; `close()` closes it and removes the dir. */
export interface TempStore {
  readonly store: SqliteStore;
  readonly dir: string;
  /** Closes the store and opens the same data dir again (a restart). */
  reopen(): Promise<SqliteStore>;
  close(): Promise<void>;
}

export async function openTempStore(): Promise<TempStore> {
  const dir = await mkdtemp(join(tmpdir(), "livegate-chat-"));
  let store = await SqliteStore.open(dir);
  return {
    get store() {
      return store;
    },
    dir,
    async reopen() {
      await store.close();
      store = await SqliteStore.open(dir);
      return store;
    },
    async close() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
