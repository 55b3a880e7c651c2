import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Store } from "../../src/engines/store/store.js";

/** The contract every store engine must pass. `open` returns a migrated store on a fresh database. */
export function storeContract(engine: string, open: () => Promise<Store>): void {
  describe(`store contract: ${engine}`, () => {
    let store: Store;
    before(async () => {
      store = await open();
    });
    after(() => store.close());

    it("reads an absent setting as undefined", async () => {
      assert.equal(await store.settings.get(`absent-${Date.now()}`), undefined);
    });

    it("keeps the first value when two writers race to create a setting", async () => {
      const key = `race-${process.pid}-${Date.now()}`;
      const results = await Promise.all(["first", "second", "third"].map((v) => store.settings.getOrCreate(key, v)));
      assert.equal(new Set(results).size, 1, `every writer must see the same stored value, got ${results.join(", ")}`);
      assert.equal(await store.settings.get(key), results[0]);
    });

    it("answers ping", async () => {
      await store.ping();
    });

    const uid = (p: string) => `${p}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

    it("creates a job as pending, updates it, and never changes it once finished", async () => {
      const id = uid("job");
      const created = await store.jobs.create({ id, type: "import", owner: "alice", metadata: { project: "myapp" } });
      assert.equal(created.status, "pending");
      assert.equal(created.progress, 0);
      assert.deepEqual(created.metadata, { project: "myapp" });
      const started = await store.jobs.update(id, { status: "started", progress: 45, message: "Processing files...", startedAt: 1000 });
      assert.equal(started?.progress, 45);
      assert.equal(started?.startedAt, 1000);
      const done = await store.jobs.update(id, { status: "completed", progress: 100, result: { files_processed: 150 }, completedAt: 2000 });
      assert.deepEqual(done?.result, { files_processed: 150 });
      const after = await store.jobs.update(id, { status: "failed", error: "late" });
      assert.equal(after?.status, "completed", "a finished job keeps its final state");
      assert.equal(after?.error, null);
      assert.equal(await store.jobs.get(uid("missing")), undefined);
    });

    it("keeps a user's undelivered notifications until they are marked delivered", async () => {
      const user = uid("user");
      const base = Date.now();
      for (let i = 0; i < 3; i++) {
        await store.notifications.create({ id: uid("n"), userId: user, title: `t${i}`, message: "m", category: "info", data: i === 0 ? { project_id: "abc123" } : null, actionUrl: null, createdAt: base + i });
      }
      const pending = await store.notifications.undelivered(user, 10);
      assert.deepEqual(pending.map((n) => n.title), ["t0", "t1", "t2"], "oldest first");
      assert.deepEqual(pending[0]!.data, { project_id: "abc123" });
      await store.notifications.markDelivered([pending[0]!.id, pending[1]!.id], base + 10);
      assert.deepEqual((await store.notifications.undelivered(user, 10)).map((n) => n.title), ["t2"]);
      assert.deepEqual((await store.notifications.list(user, 2)).map((n) => n.title), ["t2", "t1"], "list is newest first");
    });

    it("stores a conversation's messages in order and sums their tokens and cost", async () => {
      const id = uid("conv");
      await store.conversations.create({ id, userId: "alice", title: "First", metadata: {} });
      await store.conversations.addMessage({ id: uid("m"), conversationId: id, role: "user", content: "Hello", tokensIn: 0, tokensOut: 0, model: null, metadata: {} }, 0);
      await store.conversations.addMessage({ id: uid("m"), conversationId: id, role: "assistant", content: "Hi!", tokensIn: 12, tokensOut: 3, model: "embedded", metadata: {} }, 0.5);
      const msgs = await store.conversations.messages(id);
      assert.deepEqual(msgs.map((m) => [m.role, m.content]), [["user", "Hello"], ["assistant", "Hi!"]]);
      assert.deepEqual((await store.conversations.messages(id, { limit: 1 })).map((m) => m.content), ["Hi!"], "limit keeps the newest");
      const conv = await store.conversations.get(id);
      assert.equal(conv?.tokensIn, 12);
      assert.equal(conv?.tokensOut, 3);
      assert.equal(conv?.cost, 0.5);
      await store.conversations.end(id, 5000);
      assert.equal((await store.conversations.get(id))?.endedAt, 5000);
      assert.ok((await store.conversations.list("alice", 50)).some((c) => c.id === id));
    });

    it("puts, replaces, reads and removes documents", async () => {
      const id = uid("doc");
      await store.documents.put({ id, title: "A", content: "one", metadata: { lang: "en" }, createdAt: 1 });
      await store.documents.put({ id, title: "B", content: "two", metadata: {}, createdAt: 1 });
      assert.equal((await store.documents.get(id))?.content, "two");
      assert.ok((await store.documents.all()).some((d) => d.id === id));
      assert.equal(await store.documents.remove(id), true);
      assert.equal(await store.documents.remove(id), false);
    });
  });
}
