import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GatewayError } from "../../../src/core/errors.js";
import { ConversationService } from "../../../src/services/conversations.js";
import { openTempStore, type TempStore } from "../../helpers/temp-store.js";

const isCode = (code: string) => (err: unknown) => err instanceof GatewayError && err.code === code;

describe("ConversationService over SQLite", () => {
  let t: TempStore;
  let conversations: ConversationService;
  before(async () => {
    t = await openTempStore();
    conversations = new ConversationService(t.store.conversations);
  });
  after(() => t.close());

  it("starts conv_<uuid> conversations owned by the user, with title and metadata", async () => {
    const c = await conversations.start("alice", { title: "Plans", metadata: { model: "gpt-4" } });
    assert.match(c.id, /^conv_[0-9a-f-]{36}$/);
    assert.deepEqual({ user: c.userId, title: c.title, metadata: c.metadata, ended: c.endedAt }, { user: "alice", title: "Plans", metadata: { model: "gpt-4" }, ended: null });
    assert.equal((await conversations.get("alice", c.id)).id, c.id, "the owner reads it back");
  });

  it("reports another user's conversation exactly as a missing one", async () => {
    const c = await conversations.start("alice");
    for (const call of [() => conversations.get("bob", c.id), () => conversations.end("bob", c.id), () => conversations.history("bob", c.id, 10), () => conversations.open("bob", c.id)]) {
      await assert.rejects(call(), isCode("LG_ERR_CONVERSATION_NOT_FOUND"));
    }
    await assert.rejects(conversations.get("bob", "conv_nope"), isCode("LG_ERR_CONVERSATION_NOT_FOUND"));
    assert.equal((await conversations.get("alice", c.id)).endedAt, null, "bob's end changed nothing");
  });

  it("ends a conversation once: open() refuses it afterwards, a second end keeps the first time", async () => {
    const c = await conversations.start("carol");
    assert.equal((await conversations.open("carol", c.id)).id, c.id, "an active conversation is open");
    const ended = await conversations.end("carol", c.id);
    assert.ok(ended.endedAt !== null, "ended_at is set");
    await assert.rejects(conversations.open("carol", c.id), isCode("LG_ERR_CONVERSATION_ENDED"));
    assert.equal((await conversations.end("carol", c.id)).endedAt, ended.endedAt, "ending again keeps the time");
  });

  it("lists only the user's conversations and returns history newest-limited, oldest first", async () => {
    const c = await conversations.start("dave");
    for (const [i, role] of (["user", "assistant", "user"] as const).entries()) {
      await t.store.conversations.addMessage({ id: `m${i}`, conversationId: c.id, role, content: `text ${i}`, tokensIn: 1, tokensOut: 2, model: null, metadata: {} }, 0.5);
    }
    const h = await conversations.history("dave", c.id, 2);
    assert.deepEqual(h.messages.map((m) => m.content), ["text 1", "text 2"]);
    assert.deepEqual([h.conversation.tokensIn, h.conversation.tokensOut, h.conversation.cost], [3, 6, 1.5], "totals of every message");
    assert.deepEqual((await conversations.list("dave", 10)).map((x) => x.id), [c.id]);
  });
});
