import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChannelPolicy, claimMatches, globToRegExp } from "../../../src/core/policy.js";
import type { Principal } from "../../../src/core/types.js";

const alice = (claims: Record<string, unknown> = {}): Principal => ({ userId: "alice", claims });

describe("the channel policy", () => {
  const policy = new ChannelPolicy();

  it("lets a user subscribe to its own user channel but not another user's", async () => {
    assert.equal(await policy.canSubscribe(alice(), "user:alice"), true);
    assert.equal(await policy.canSubscribe(alice(), "user:bob"), false);
  });

  it("lets everyone subscribe to broadcast and public:* channels", async () => {
    assert.equal(await policy.canSubscribe(alice(), "broadcast"), true);
    assert.equal(await policy.canSubscribe(alice(), "public:news"), true);
  });

  it("grants other channels only through the channels claim", async () => {
    assert.equal(await policy.canSubscribe(alice(), "conversation:conv-123"), false);
    assert.equal(await policy.canSubscribe(alice({ channels: ["conversation:*"] }), "conversation:conv-123"), true);
    assert.equal(await policy.canSubscribe(alice({ channels: "conversation:conv-12?" }), "conversation:conv-123"), true);
    assert.equal(await policy.canSubscribe(alice({ channels: ["conversation:conv-12?"] }), "conversation:conv-1234"), false);
  });

  it("lets clients publish only where the publish claim allows", () => {
    assert.equal(policy.canPublish(alice(), "public:news"), false);
    assert.equal(policy.canPublish(alice({ publish: ["public:*"] }), "public:news"), true);
    assert.equal(policy.canPublish(alice({ publish: ["public:*"] }), "conversation:x"), false);
  });

  it("consults added rules before the built-in ones", async () => {
    const p = new ChannelPolicy();
    p.addSubscribeRule((who, ch) => (ch.startsWith("job:") ? who.userId === "alice" : undefined));
    assert.equal(await p.canSubscribe(alice(), "job:1"), true);
    assert.equal(await p.canSubscribe({ userId: "bob", claims: {} }, "job:1"), false);
    assert.equal(await p.canSubscribe(alice(), "user:alice"), true, "other channels fall through");
  });
});

describe("channel globs", () => {
  it("treat regex characters literally", () => {
    assert.equal(globToRegExp("a.b+c").test("a.b+c"), true);
    assert.equal(globToRegExp("a.b").test("axb"), false);
  });

  it("ignore claims that are not strings or string arrays", () => {
    assert.equal(claimMatches(42, "x"), false);
    assert.equal(claimMatches([null, "x"], "x"), true);
  });
});
