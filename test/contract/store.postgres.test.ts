import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, it } from "node:test";
import pg from "pg";
import { migrations } from "../../src/engines/store/migrations.js";
import { DEFAULT_POSTGRES_URL, PostgresStore } from "../../src/engines/store/postgres.js";
import { storeContract } from "./store.contract.js";

const url = process.env.LIVEGATE_TEST_POSTGRES_URL ?? DEFAULT_POSTGRES_URL;

// Every store in this file lives in its own schema, dropped at the end, so parallel files and runs never
// see each other's rows.
const schemas: string[] = [];
const freshSchema = () => {
  const s = `lg_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  schemas.push(s);
  return s;
};
const admin = new pg.Pool({ connectionString: url, max: 2 });
after(async () => {
  for (const s of schemas) await admin.query(`drop schema if exists "${s}" cascade`);
  await admin.end();
});

storeContract("postgres", () => PostgresStore.open({ url, schema: freshSchema(), poolSize: 4 }));

describe("the PostgreSQL store", () => {
  it("keeps data across a close and reopen of the same schema, and records each migration once", async () => {
    const schema = freshSchema();
    const a = await PostgresStore.open({ url, schema });
    await a.settings.getOrCreate("dev_jwt_secret", "s3cret");
    await a.close();
    const b = await PostgresStore.open({ url, schema });
    assert.equal(await b.settings.get("dev_jwt_secret"), "s3cret");
    await b.close();
    const { rows } = await admin.query<{ name: string }>(`select name from "${schema}".kysely_migration order by name`);
    assert.deepEqual(rows.map((r) => r.name), Object.keys(migrations).sort(), "every migration applied once, in name order");
  });

  it("migrates once when two nodes open the same fresh schema at the same time", async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([PostgresStore.open({ url, schema }), PostgresStore.open({ url, schema })]);
    await a.settings.getOrCreate("k", "from-a");
    assert.equal(await b.settings.get("k"), "from-a", "both nodes see the same tables");
    await Promise.all([a.close(), b.close()]);
  });

  it("keeps its tables in its own schema", async () => {
    const schema = freshSchema();
    const s = await PostgresStore.open({ url, schema });
    await s.close();
    const { rows } = await admin.query<{ n: string }>(`select count(*) as n from information_schema.tables where table_schema = $1 and table_name = 'jobs'`, [schema]);
    assert.equal(Number(rows[0]!.n), 1);
  });

  it("refuses to start when PostgreSQL is unreachable, naming the cause", async () => {
    await assert.rejects(PostgresStore.open({ url: "postgres://postgres@127.0.0.1:1/test", schema: freshSchema() }), /ECONNREFUSED/);
  });
});
