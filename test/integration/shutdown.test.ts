import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { createServer, type LivegateServer } from "../../src/index.js";
import { connectChannels, TestClient } from "../helpers/client.js";
import { startTestGateway } from "../helpers/gateway.js";

/** Resolves with `p`, or rejects after `ms` naming `what`. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe("graceful shutdown", () => {
  it("closes open /ws sockets with 1001, resolves close() and refuses new connections afterwards", async () => {
    const gw = await startTestGateway();
    const clients: TestClient[] = [];
    try {
      for (const user of ["alice", "bob", "carol"]) {
        const { client } = await connectChannels(gw.wsUrl("/ws", { token: await gw.token(user) }));
        clients.push(client);
      }
      const closes = Promise.all(clients.map((c) => c.waitClosed(5000)));
      await within(gw.server.close(), 5000, "server.close()");
      const infos = await closes;
      assert.deepEqual(
        infos.map((i) => i.code),
        clients.map(() => 1001),
        `every open socket should be closed with 1001 on shutdown, got ${JSON.stringify(infos)}`,
      );
      assert.equal(gw.server.context.hub.connectionCount, 0, "the hub should hold no connection after close()");

      const token = await gw.token("late");
      await assert.rejects(TestClient.connect(gw.wsUrl("/ws", { token })), "a /ws connection after close() should be refused");
      await assert.rejects(fetch(`${gw.url}/healthz`), "HTTP after close() should be refused");
    } finally {
      for (const c of clients) c.close();
      await gw.close();
    }
  });

  it("keeps the development secret and API key in the data dir, so a restarted gateway accepts earlier tokens", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "livegate-shutdown-"));
    const opts = { port: 0, host: "127.0.0.1", dataDir, logLevel: "silent" as const };
    const servers: LivegateServer[] = [];
    const clients: TestClient[] = [];
    try {
      const first = await createServer(opts);
      servers.push(first);
      const port1 = await first.listen();
      assert.equal(first.credentials.devJwtSecret, true, "without a key source the gateway should generate a development secret");
      assert.equal(first.credentials.devApiKey, true, "without an API key the gateway should generate one");
      const token = await first.createToken("alice");
      const apiKey = first.credentials.apiKey;
      const { client: firstClient, connected } = await connectChannels(`ws://127.0.0.1:${port1}/ws?token=${token}`);
      clients.push(firstClient);
      assert.equal(connected.data.user_id, "alice");

      await within(first.close(), 5000, "the first gateway's close()");
      assert.equal((await firstClient.waitClosed()).code, 1001, "shutdown should close the socket with 1001");

      const db = new Database(join(dataDir, "livegate.db"), { readonly: true, fileMustExist: true });
      try {
        assert.equal(db.pragma("integrity_check", { simple: true }), "ok", "the SQLite file should pass integrity_check after shutdown");
        const keys = (db.prepare("select key from settings").all() as { key: string }[]).map((r) => r.key);
        assert.ok(keys.includes("dev_jwt_secret") && keys.includes("dev_api_key"), `settings should hold the development secrets, got ${keys.join(",")}`);
      } finally {
        db.close();
      }

      const second = await createServer(opts);
      servers.push(second);
      const port2 = await second.listen();
      assert.equal(second.credentials.apiKey, apiKey, "the API key should survive a restart on the same data dir");
      const { client: secondClient, connected: again } = await connectChannels(`ws://127.0.0.1:${port2}/ws?token=${token}`);
      clients.push(secondClient);
      assert.equal(again.data.user_id, "alice", "a token from before the restart should be accepted");
      const res = await fetch(`http://127.0.0.1:${port2}/api/v1/publish`, {
        method: "POST",
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ channel: "user:alice", data: { hello: 1 } }),
      });
      assert.equal(res.status, 200, `the API key from before the restart should be accepted, got ${res.status} ${await res.text()}`);
      const ev = await secondClient.nextOfType("message");
      assert.deepEqual(ev.data, { hello: 1 });
    } finally {
      for (const c of clients) c.close();
      for (const s of servers) await s.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
