import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import BetterSqlite3 from "better-sqlite3";
import { migrations } from "../../src/engines/store/migrations.js";
import { SqliteStore } from "../../src/engines/store/sqlite.js";
import { storeContract } from "./store.contract.js";

const dirs: string[] = [];
const freshDir = async () => {
  const d = await mkdtemp(join(tmpdir(), "livegate-store-"));
  dirs.push(d);
  return d;
};
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

storeContract("sqlite", async () => SqliteStore.open(await freshDir()));

describe("the SQLite store", () => {
  it("keeps settings across a close and reopen of the same data dir", async () => {
    const dir = await freshDir();
    const a = await SqliteStore.open(dir);
    await a.settings.getOrCreate("dev_jwt_secret", "s3cret");
    await a.close();
    const b = await SqliteStore.open(dir);
    assert.equal(await b.settings.get("dev_jwt_secret"), "s3cret");
    await b.close();
  });

  it("uses WAL journaling and records applied migrations", async () => {
    const dir = await freshDir();
    const s = await SqliteStore.open(dir);
    await s.close();
    const db = new BetterSqlite3(join(dir, "livegate.db"), { readonly: true });
    try {
      assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
      const names = db.prepare("select name from kysely_migration order by name").all() as { name: string }[];
      assert.deepEqual(names.map((n) => n.name), Object.keys(migrations).sort(), "every migration applied, in name order");
    } finally {
      db.close();
    }
  });

  it("runs migrations once when opened again", async () => {
    const dir = await freshDir();
    await (await SqliteStore.open(dir)).close();
    const again = await SqliteStore.open(dir);
    await again.ping();
    await again.close();
  });
});
