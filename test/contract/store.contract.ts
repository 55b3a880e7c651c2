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

    it("stores every message of writers appending to one conversation at once, each with its own place", async () => {
      const id = uid("conv");
      await store.conversations.create({ id, userId: "alice", title: null, metadata: {} });
      const n = 20;
      await Promise.all(
        Array.from({ length: n }, (_, k) =>
          store.conversations.addMessage({ id: uid("m"), conversationId: id, role: "user", content: `m${k}`, tokensIn: 1, tokensOut: 2, model: null, metadata: {} }, 0.25),
        ),
      );
      const msgs = await store.conversations.messages(id);
      assert.equal(msgs.length, n, "no append is lost or refused");
      assert.equal(new Set(msgs.map((m) => m.content)).size, n);
      const conv = await store.conversations.get(id);
      assert.deepEqual([conv?.tokensIn, conv?.tokensOut, conv?.cost], [n, 2 * n, n * 0.25], "every append adds to the totals");
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
    it("gives a chat session to its first claimant and keeps its members", async () => {
      const id = uid("sess");
      const claims = await Promise.all(["alice", "bob"].map((u) => store.chatSessions.claim(id, u)));
      assert.equal(claims[0]!.owner, claims[1]!.owner, "racing claims must agree on one owner");
      assert.equal((await store.chatSessions.claim(id, "carol")).owner, claims[0]!.owner, "a later claim keeps the owner");
      assert.equal(await store.chatSessions.addMember(id, "dave"), true);
      assert.equal(await store.chatSessions.addMember(id, "dave"), false, "adding a member twice reports it was there");
      assert.equal(await store.chatSessions.isMember(id, "dave"), true);
      assert.equal(await store.chatSessions.isMember(id, "erin"), false);
      assert.deepEqual(await store.chatSessions.members(id), ["dave"]);
      assert.equal(await store.chatSessions.get(uid("missing")), undefined);
    });

    it("pages an application's messages to the users who may read them", async () => {
      const app = uid("app");
      const session = uid("sess");
      await store.chatSessions.claim(session, "owner");
      await store.chatSessions.addMember(session, "member");
      const add = async (chat: string, content: string) =>
        store.conversations.addMessage({ id: uid("m"), conversationId: chat, role: "user", content, tokensIn: 0, tokensOut: 0, model: null, metadata: {} }, 0);
      const inSession = uid("chat");
      const alone = uid("chat");
      const otherApp = uid("chat");
      for (const [id, user] of [[inSession, "owner"], [alone, "loner"], [otherApp, "owner"]] as const) {
        await store.conversations.create({ id, userId: user, title: null, metadata: {} });
      }
      await store.chatSessions.linkChat({ id: inSession, applicationId: app, sessionId: session, userId: "owner" });
      const kept = await store.chatSessions.linkChat({ id: inSession, applicationId: "changed", sessionId: null, userId: "x" });
      assert.equal(kept.applicationId, app, "a chat keeps the application it was first linked to");
      await store.chatSessions.linkChat({ id: alone, applicationId: app, sessionId: null, userId: "loner" });
      await store.chatSessions.linkChat({ id: otherApp, applicationId: uid("app"), sessionId: session, userId: "owner" });
      await add(inSession, "one");
      await add(alone, "lonely");
      const two = await add(inSession, "two");
      const q = { applicationId: app, limit: 10, offset: 0 };
      const contents = async (userId: string, extra: Partial<typeof q> & { chatIds?: string[]; since?: number } = {}) =>
        (await store.chatSessions.messages({ ...q, userId, ...extra })).map((m) => m.content);
      assert.deepEqual(await contents("owner"), ["one", "two"], "the session owner reads the session's chats of this application");
      assert.deepEqual(await contents("member"), ["one", "two"], "a session member reads them too");
      assert.deepEqual(await contents("loner"), ["lonely"], "a user reads the chats they started");
      assert.deepEqual(await contents("stranger"), [], "anyone else reads nothing");
      assert.deepEqual(await contents("stranger", { chatIds: [alone] }), ["lonely"], "given chat ids are read as checked by the caller");
      assert.deepEqual(await contents("owner", { limit: 1, offset: 1 }), ["two"], "limit and offset page");
      const all = await store.chatSessions.messages({ ...q, userId: "owner" });
      assert.equal(all[1]!.id, two.id);
      assert.equal(all[0]!.sessionId, session);
      assert.deepEqual(await contents("owner", { since: two.createdAt }), [], "since excludes messages at or before it");
    });

    it("creates a workspace once, with its members in the order they were added", async () => {
      const id = uid("ws");
      const created = await store.workspaces.create({ id, name: "Team" }, ["alice", "bob", "alice"]);
      assert.equal(created?.name, "Team");
      assert.equal(await store.workspaces.create({ id, name: "Again" }, []), undefined, "a taken id is refused");
      assert.equal((await store.workspaces.get(id))?.name, "Team");
      assert.equal(await store.workspaces.addMember(id, "carol"), true);
      assert.equal(await store.workspaces.addMember(id, "bob"), false);
      assert.deepEqual(await store.workspaces.members(id), ["alice", "bob", "carol"]);
      assert.equal(await store.workspaces.isMember(id, "carol"), true);
      assert.equal(await store.workspaces.isMember(id, "dave"), false);
      assert.equal(await store.workspaces.get(uid("missing")), undefined);
    });

    it("numbers a plugin execution's events and appends nothing once it has finished", async () => {
      const id = uid("exec");
      const created = await store.pluginExecutions.create({ id, pluginId: "web-search", toolName: "search" });
      assert.equal(created.status, "running");
      const appended = await Promise.all([1, 2, 3].map((i) => store.pluginExecutions.append(id, { type: "log", data: { i } })));
      assert.deepEqual(appended.map((e) => e?.seq).sort(), [1, 2, 3], "concurrent appends get distinct numbers");
      const done = await store.pluginExecutions.append(id, { type: "execution_complete", data: { result: 42 } }, "completed");
      assert.equal(done?.seq, 4);
      assert.equal(await store.pluginExecutions.append(id, { type: "log", data: "late" }), undefined, "a finished execution takes no more events");
      const rec = await store.pluginExecutions.get(id);
      assert.equal(rec?.status, "completed");
      assert.equal(rec?.events, 4);
      const last = await store.pluginExecutions.events(id, 2);
      assert.deepEqual(last.map((e) => [e.seq, e.type]), [[3, "log"], [4, "execution_complete"]], "the newest events, oldest first");
      assert.deepEqual(last[1]!.data, { result: 42 });
      assert.equal(await store.pluginExecutions.append(uid("missing"), { type: "log", data: null }), undefined);
    });

    it("stores triples once per source and matches every pattern shape from its indexes", async () => {
      const c = uid("coll");
      const i = (value: string) => ({ value, kind: "i" as const });
      const rows = [
        { s: i("urn:a"), p: i("urn:knows"), o: i("urn:b") },
        { s: i("urn:a"), p: i("urn:name"), o: { value: "A", kind: "l" as const } },
        { s: i("urn:b"), p: i("urn:knows"), o: i("urn:c") },
      ];
      assert.equal(await store.triples.add(c, "src1", rows), 3);
      assert.equal(await store.triples.add(c, "src2", rows.slice(0, 1)), 1, "the same triple from another source is a new row");
      const shape = async (pattern: Parameters<Store["triples"]["match"]>[1]) => (await store.triples.match(c, pattern, 10)).length;
      assert.equal(await shape({}), 3, "distinct triples");
      assert.equal(await shape({ s: i("urn:a") }), 2);
      assert.equal(await shape({ p: i("urn:knows") }), 2);
      assert.equal(await shape({ o: i("urn:c") }), 1);
      assert.equal(await shape({ s: i("urn:a"), p: i("urn:knows") }), 1);
      assert.equal(await shape({ p: i("urn:knows"), o: i("urn:c") }), 1);
      assert.equal(await shape({ s: i("urn:a"), o: { value: "A" } }), 1);
      assert.equal(await shape({ s: i("urn:a"), p: i("urn:name"), o: { value: "A", kind: "i" } }), 0, "kinds must match when given");
      assert.equal((await store.triples.match(c, {}, 1)).length, 1, "limit");
      assert.deepEqual((await store.triples.containing(c, "URN:C", 10)).map((t) => t.o.value), ["urn:c"], "case-insensitive substring");
      assert.equal(await store.triples.removeSource("src1", c), 3);
      assert.equal(await shape({}), 1, "src2's triple stays");
      assert.equal(await store.triples.removeCollection(c), 1);
      assert.ok(!(await store.triples.collections()).includes(c));
    });

    it("stores, deduplicates and matches triples whose terms are far longer than an index row may be", async () => {
      const c = uid("coll-long");
      // Random hex does not compress, so the terms stay ~20 KB each wherever they are kept.
      const long = (n: number) => Array.from({ length: n }, () => Math.random().toString(16).slice(2)).join("").slice(0, 20_000);
      const [s, o] = [`urn:${long(2000)}`, long(2000)];
      const triple = { s: { value: s, kind: "i" as const }, p: { value: "urn:abstract", kind: "i" as const }, o: { value: o, kind: "l" as const } };
      assert.equal(await store.triples.add(c, "src", [triple]), 1);
      assert.equal(await store.triples.add(c, "src", [triple]), 0, "the same long triple from the same source is stored once");
      assert.deepEqual(await store.triples.match(c, { s: { value: s } }, 10), [triple]);
      assert.deepEqual(await store.triples.match(c, { p: triple.p, o: { value: o } }, 10), [triple]);
      assert.deepEqual(await store.triples.match(c, { o: { value: o, kind: "l" } }, 10), [triple]);
      assert.deepEqual(await store.triples.match(c, { s: { value: `${s}x` } }, 10), [], "a longer subject is another subject");
      assert.equal(await store.triples.removeCollection(c), 1);
    });

    it("appends to a knowledge core and pages its triples and entities in order", async () => {
      const id = uid("core");
      const t = (n: number) => ({ s: { value: `urn:${n}`, kind: "i" as const }, p: { value: "urn:p", kind: "i" as const }, o: { value: String(n), kind: "l" as const } });
      const first = await store.knowledgeCores.append("alice", id, { collection: "c", triples: [t(1), t(2)], entities: [] });
      assert.equal(first.collection, "c");
      await store.knowledgeCores.append("alice", id, { triples: [t(3)], entities: [{ entity: { value: "urn:1", kind: "i" }, vectors: [[1, 2]] }] });
      const p1 = await store.knowledgeCores.triples("alice", id, 0, 2);
      assert.deepEqual(p1.items.map((x) => x.o.value), ["1", "2"]);
      assert.ok(p1.next !== undefined, "a next page");
      const p2 = await store.knowledgeCores.triples("alice", id, p1.next!, 2);
      assert.deepEqual([p2.items.map((x) => x.o.value), p2.next], [["3"], undefined]);
      assert.deepEqual((await store.knowledgeCores.entities("alice", id, 0, 5)).items, [{ entity: { value: "urn:1", kind: "i" }, vectors: [[1, 2]] }]);
      assert.ok((await store.knowledgeCores.list("alice")).includes(id));
      assert.equal(await store.knowledgeCores.get("bob", id), undefined, "cores are per user");
      assert.equal(await store.knowledgeCores.remove("alice", id), true);
      assert.equal(await store.knowledgeCores.remove("alice", id), false);
      assert.deepEqual((await store.knowledgeCores.triples("alice", id, 0, 5)).items, []);
    });

    it("creates collections once, updates their given fields, and keeps processings", async () => {
      const c = uid("coll");
      await store.collections.ensure(c, "alice");
      await store.collections.ensure(c, "bob");
      assert.equal((await store.collections.get(c))?.user, "alice", "the first writer creates it");
      const up = await store.collections.upsert({ collection: c, user: "alice", name: "N", tags: ["x"] });
      assert.deepEqual([up.name, up.description, up.tags], ["N", "", ["x"]]);
      assert.ok((await store.collections.list("alice")).some((r) => r.collection === c));
      const pid = uid("proc");
      const proc = { id: pid, documentId: "d1", user: "alice", flow: "default", collection: c, tags: ["t"], time: 7 };
      assert.equal(await store.processing.create(proc), true);
      assert.equal(await store.processing.create(proc), false, "an id is used once");
      assert.deepEqual({ ...(await store.processing.get(pid))!, createdAt: 0 }, { ...proc, createdAt: 0 });
      assert.deepEqual((await store.processing.inCollection(c)).map((p) => p.id), [pid]);
      assert.equal(await store.processing.removeCollection(c), 1);
      assert.equal(await store.collections.remove(c), true);
      assert.equal(await store.collections.remove(c), false);
    });

    it("keeps an upload's chunks by index and assembles them in order", async () => {
      const id = uid("up");
      await store.uploads.create({ id, user: "alice", documentId: "d", document: { title: "T" }, totalSize: 5, chunkSize: 3, totalChunks: 2, createdAt: 1 });
      await store.uploads.putChunk(id, 1, Buffer.from("de"));
      await store.uploads.putChunk(id, 0, Buffer.from("xyz"));
      await store.uploads.putChunk(id, 0, Buffer.from("abc"));
      assert.deepEqual(await store.uploads.received(id), [{ index: 0, size: 3 }, { index: 1, size: 2 }], "a chunk sent again replaces the first");
      assert.equal((await store.uploads.assemble(id)).toString(), "abcde");
      assert.deepEqual((await store.uploads.get(id))?.document, { title: "T" });
      assert.ok((await store.uploads.list("alice")).some((u) => u.id === id));
      assert.equal(await store.uploads.remove(id), true);
      assert.deepEqual(await store.uploads.received(id), []);
      assert.equal(await store.uploads.remove(id), false);
    });
  });
}
