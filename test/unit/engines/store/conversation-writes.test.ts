import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { openTempStore, type TempStore } from "../../../helpers/temp-store.js";

describe("conversation writes on SQLite", () => {
  let t: TempStore;
  before(async () => {
    t = await openTempStore();
  });
  after(() => t.close());

  it("creates a conversation with its first message: stored as message 1, counted in the totals", async () => {
    const conv = await t.store.conversations.create(
      { id: "c-first", userId: "alice", title: "Q", metadata: { dialect: "codegraph" } },
      { id: "m-1", role: "user", content: "Question?", tokensIn: 4, tokensOut: 0, model: null, metadata: { scenario_id: "general" } },
    );
    assert.equal(conv.tokensIn, 4, "the returned record counts the first message");
    const msgs = await t.store.conversations.messages("c-first");
    assert.deepEqual(
      msgs.map((m) => ({ id: m.id, role: m.role, content: m.content, metadata: m.metadata, at: m.createdAt === conv.createdAt })),
      [{ id: "m-1", role: "user", content: "Question?", metadata: { scenario_id: "general" }, at: true }],
    );
    const stored = await t.store.conversations.get("c-first");
    assert.deepEqual(
      { tokensIn: stored?.tokensIn, tokensOut: stored?.tokensOut, cost: stored?.cost, updatedAt: stored?.updatedAt, metadata: stored?.metadata },
      { tokensIn: 4, tokensOut: 0, cost: 0, updatedAt: conv.createdAt, metadata: { dialect: "codegraph" } },
    );
  });

  it("appends later messages after it, in order, adding tokens and cost", async () => {
    const answer = await t.store.conversations.addMessage(
      { id: "m-2", conversationId: "c-first", role: "assistant", content: "Answer.", tokensIn: 10, tokensOut: 3, model: "embedded", metadata: { finish_reason: "stop" } },
      0.25,
    );
    assert.deepEqual(answer.metadata, { finish_reason: "stop" });
    await t.store.conversations.addMessage({ id: "m-3", conversationId: "c-first", role: "user", content: "More?", tokensIn: 0, tokensOut: 0, model: null, metadata: {} }, 0);
    const msgs = await t.store.conversations.messages("c-first");
    assert.deepEqual(msgs.map((m) => m.id), ["m-1", "m-2", "m-3"], "oldest first: the first message, then the appended ones");
    assert.deepEqual((await t.store.conversations.messages("c-first", { limit: 2 })).map((m) => m.id), ["m-2", "m-3"]);
    const stored = await t.store.conversations.get("c-first");
    assert.deepEqual({ tokensIn: stored?.tokensIn, tokensOut: stored?.tokensOut, cost: stored?.cost }, { tokensIn: 14, tokensOut: 3, cost: 0.25 });
  });

  it("stores nothing of a conversation whose first message cannot be stored", async () => {
    await assert.rejects(
      t.store.conversations.create(
        { id: "c-dup", userId: "alice", title: null, metadata: {} },
        { id: "m-1", role: "user", content: "Reuses a taken message id", tokensIn: 0, tokensOut: 0, model: null, metadata: {} },
      ),
    );
    assert.equal(await t.store.conversations.get("c-dup"), undefined, "the conversation was rolled back with its message");
  });

  it("numbers messages per conversation from 1 when several conversations interleave", async () => {
    await t.store.conversations.create({ id: "c-a", userId: "bob", title: null, metadata: {} });
    await t.store.conversations.create({ id: "c-b", userId: "bob", title: null, metadata: {} });
    const add = (conv: string, id: string) =>
      t.store.conversations.addMessage({ id, conversationId: conv, role: "user", content: id, tokensIn: 0, tokensOut: 0, model: null, metadata: {} }, 0);
    await Promise.all([add("c-a", "a1"), add("c-b", "b1"), add("c-a", "a2"), add("c-b", "b2"), add("c-a", "a3")]);
    assert.deepEqual((await t.store.conversations.messages("c-a")).map((m) => m.id), ["a1", "a2", "a3"]);
    assert.deepEqual((await t.store.conversations.messages("c-b")).map((m) => m.id), ["b1", "b2"]);
  });
});
