import assert from "node:assert/strict";
import { describe, it } from "node:test";
import BetterSqlite3 from "better-sqlite3";
import { withStatementCache } from "../../../../src/engines/store/sqlite.js";

function memoryDb(): BetterSqlite3.Database {
  const db = new BetterSqlite3(":memory:");
  db.exec("create table t (id integer primary key, name text)");
  return db;
}

describe("SQLite statement cache", () => {
  it("hands out the same prepared statement for the same SQL, and it runs with new parameters each time", () => {
    const raw = memoryDb();
    const db = withStatementCache(raw);
    const insert = "insert into t (id, name) values (?, ?)";
    const a = db.prepare(insert);
    a.run([1, "one"]);
    const b = db.prepare(insert);
    assert.equal(b, a, "the second prepare of the same text is the cached statement");
    b.run([2, "two"]);
    const select = db.prepare("select name from t where id = ?");
    assert.deepEqual(select.all([1]), [{ name: "one" }]);
    assert.deepEqual(db.prepare("select name from t where id = ?").all([2]), [{ name: "two" }], "reused with the other parameter");
    assert.equal(db.cachedStatements, 2);
    db.close();
  });

  it("keeps at most `max` statements, evicting the least recently used", () => {
    const db = withStatementCache(memoryDb(), 2);
    const q1 = db.prepare("select 1 as x");
    const q2 = db.prepare("select 2 as x");
    assert.equal(db.prepare("select 1 as x"), q1, "q1 is now the most recently used");
    db.prepare("select 3 as x");
    assert.equal(db.cachedStatements, 2);
    assert.equal(db.prepare("select 1 as x"), q1, "q1 stayed");
    assert.notEqual(db.prepare("select 2 as x"), q2, "q2, the least recently used, was evicted and prepared anew");
    db.close();
  });

  it("does not hand out a statement that is still iterating; the fresh one gives correct rows", () => {
    const raw = memoryDb();
    raw.exec("insert into t (id, name) values (1, 'one'), (2, 'two'), (3, 'three')");
    const db = withStatementCache(raw);
    const sql = "select id from t where id >= ? order by id";
    const it1 = db.prepare(sql).iterate([1]);
    assert.deepEqual(it1.next().value, { id: 1 }, "the first statement is mid-iteration");
    const other = db.prepare(sql);
    assert.deepEqual(other.all([2]), [{ id: 2 }, { id: 3 }], "a second statement for the same text runs meanwhile");
    assert.deepEqual([...it1].map((r) => (r as { id: number }).id), [2, 3], "the first iteration is undisturbed");
    assert.deepEqual(db.prepare(sql).all([3]), [{ id: 3 }], "once done, the cached statement is reusable");
    db.close();
  });

  it("close() closes the database and empties the cache", () => {
    const raw = memoryDb();
    const db = withStatementCache(raw);
    db.prepare("select 1");
    db.close();
    assert.equal(raw.open, false, "the database is closed");
    assert.equal(db.cachedStatements, 0);
    assert.throws(() => db.prepare("select 1"), /not open/, "nothing can be prepared after close");
  });
});
