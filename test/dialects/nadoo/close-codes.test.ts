import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, it } from "node:test";
import { TestClient } from "../../helpers/client.js";
import { startTestGateway } from "../../helpers/gateway.js";
import { NADOO_CLOSE } from "../../../src/dialects/nadoo/codes.js";
import { NADOO_ROUTES } from "../../../src/dialects/nadoo/index.js";
import { assertClosed, chatPath, joinChat, notificationsPath, openAs, unique } from "./helpers.js";

// Compiled to build-test/test/dialects/nadoo/; the repository root is four levels up.
const read = (p: string) => readFileSync(resolve(import.meta.dirname, "../../../..", p), "utf8");

describe("Nadoo close codes and lifecycle", () => {
  it('closes with 1008 "Too many connections" past the per-user limit, leaving the first socket alone', async () => {
    const gw = await startTestGateway({ limits: { maxConnectionsPerUser: 1 } });
    try {
      const first = await joinChat(gw, unique("s"), "alice");
      const second = await openAs(gw, notificationsPath("alice"), "alice");
      await assertClosed(second, 1008, "Too many connections", "the second socket");
      first.send({ type: "ping" });
      await first.nextOfType("pong");
      first.close();
    } finally {
      await gw.close();
    }
  });

  it('closes with 4008 "Idle timeout" a client that answers no pings and sends nothing', async () => {
    const gw = await startTestGateway({ limits: { pingIntervalMs: 100, idleTimeoutMs: 300 } });
    try {
      const client = await TestClient.connect(gw.wsUrl(chatPath(unique("s")), { token: await gw.token("alice") }), undefined, { autoPong: false });
      await client.nextOfType("connected");
      await assertClosed(client, 4008, "Idle timeout", "an idle client");
    } finally {
      await gw.close();
    }
  });

  it("closes with 1008 a client that keeps sending while rate limited, after error frames with retry_after", async () => {
    const gw = await startTestGateway({ limits: { messagesPerSecond: 1, messageBurst: 2, rateLimitStrikes: 3 } });
    try {
      const client = await joinChat(gw, unique("s"), "alice");
      for (let i = 0; i < 8; i++) client.send({ type: "ping" });
      await assertClosed(client, 1008, "Rate limit exceeded", "a flooding client");
      const limited = client.frames.find((f) => f.type === "error" && f.code === "rate_limit");
      assert.ok(limited, `a rate_limit error came first: ${JSON.stringify(client.frames)}`);
      assert.equal(typeof limited.retry_after, "number");
    } finally {
      await gw.close();
    }
  });

  it("closes with 1001 on shutdown and 1009 for an oversize frame", async () => {
    const gw = await startTestGateway({ limits: { maxFrameBytes: 2048 } });
    const big = await joinChat(gw, unique("s"), "alice");
    big.send({ type: "chat", content: "x".repeat(4096), application_id: "app" });
    assert.equal((await big.waitClosed()).code, 1009, "an oversize frame closes with 1009");
    const client = await joinChat(gw, unique("s"), "bob");
    await gw.close();
    await assertClosed(client, 1001, "Server shutting down", "shutdown");
  });

  it("asks for a fresh token when the token expires, and takes it without closing", async () => {
    const gw = await startTestGateway({ limits: { tokenExpiryGraceMs: 5000 } });
    try {
      const client = await TestClient.connect(gw.wsUrl(chatPath(unique("s")), { token: await gw.token("alice", { ttlSec: 1 }) }));
      await client.nextOfType("connected");
      await client.nextOfType("auth_required", 5000);
      client.send({ type: "auth", token: await gw.token("alice") });
      await client.nextOfType("authenticated");
      client.send({ type: "auth", token: await gw.token("mallory") });
      assert.match(String((await client.nextOfType("error")).message), /another user/, "a token for another user is refused");
      client.send({ type: "ping" });
      await client.nextOfType("pong");
      client.close();
    } finally {
      await gw.close();
    }
  });
});

describe("docs/protocol-nadoo.md stays true to the code", () => {
  const doc = read("docs/protocol-nadoo.md");

  it("lists every close code the dialect uses", () => {
    for (const [name, c] of Object.entries(NADOO_CLOSE)) {
      if (name === "normal") continue;
      assert.ok(doc.includes(`| ${c.code} |`), `the close code table lacks ${c.code} (${name})`);
    }
  });

  it("README lists every Nadoo endpoint", () => {
    const readme = read("README.md");
    for (const path of Object.values(NADOO_ROUTES)) assert.ok(readme.includes(path), `README lacks ${path}`);
    for (const path of ["/ws/stats", "/api/v1/chat/{app_id}/messages", "/api/v1/chat/{app_id}/stream", "/api/v1/sse/notifications", "/api/v1/plugin/executions", "/api/v1/workspaces"]) {
      assert.ok(readme.includes(path), `README lacks ${path}`);
    }
  });
});
