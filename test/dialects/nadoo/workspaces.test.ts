import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TestClient } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { expectJson, expectJsonError } from "../../helpers/http.js";
import { assertClosed, ISO_UTC, openAs, unique, workspacePath } from "./helpers.js";

describe("Nadoo workspace socket /ws/workspaces/{workspace_id}", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  /** Creates a workspace with these members over REST; returns its id. */
  const create = async (members: string[], id?: string): Promise<string> => {
    const body = await expectJson<{ workspace_id: string; members: string[] }>(
      await gw.api("/api/v1/workspaces", { body: { ...(id ? { workspace_id: id } : {}), name: "Team", members } }),
      201,
      "creating a workspace",
    );
    assert.deepEqual(body.members, members);
    return body.workspace_id;
  };
  const join = async (id: string, user: string) => {
    const client = await openAs(gw, workspacePath(id), user);
    const connected = await client.nextOfType("connected");
    assert.equal(connected.workspace_id, id);
    return client;
  };

  it("refuses a non-member, and a workspace that does not exist, with 1008", async () => {
    const id = await create(["alice"]);
    const eve = await openAs(gw, workspacePath(id), "eve");
    await assertClosed(eve, 1008, "Not a workspace member", "a non-member");
    assert.ok(eve.frames.some((f) => f.type === "error" && typeof f.message === "string"), "the refusal says why");
    const nowhere = await openAs(gw, workspacePath(unique("missing")), "alice");
    await assertClosed(nowhere, 1008, "Not a workspace member", "an unknown workspace looks the same");
    const noToken = await TestClient.connect(gw.wsUrl(workspacePath(id)));
    await assertClosed(noToken, 1008, "Invalid token", "no token");
  });

  it("tells the others user_joined and user_left, never the user themselves", async () => {
    const id = await create(["alice", "bob"]);
    const alice = await join(id, "alice");
    const bob = await join(id, "bob");
    const joined = await alice.nextOfType("user_joined");
    assert.equal(joined.user_id, "bob");
    assert.equal(joined.workspace_id, id);
    assert.match(joined.timestamp as string, ISO_UTC);
    assert.ok(await bob.nothingWithin(150, (f) => f.type === "user_joined"), "bob does not hear of his own join");
    bob.close();
    const left = await alice.nextOfType("user_left");
    assert.equal(left.user_id, "bob");
    alice.close();
  });

  it("broadcasts a member's document_updated to the other members with sender and timestamp", async () => {
    const id = await create(["alice", "bob", "carol"]);
    const alice = await join(id, "alice");
    const bob = await join(id, "bob");
    const carol = await join(id, "carol");
    alice.send({ type: "document_updated", document_id: "doc-456", action: "edited", sender_id: "forged", timestamp: "1999-01-01T00:00:00Z" });
    for (const [name, c] of [["bob", bob], ["carol", carol]] as const) {
      const ev = await c.nextOfType("document_updated");
      assert.equal(ev.document_id, "doc-456", `${name} gets the event's own fields`);
      assert.equal(ev.action, "edited");
      assert.equal(ev.sender_id, "alice", `${name} sees who sent it (the server's word, not the sender's)`);
      assert.equal(ev.workspace_id, id);
      assert.notEqual(ev.timestamp, "1999-01-01T00:00:00Z", "the server stamps the time");
      assert.match(ev.timestamp as string, ISO_UTC);
    }
    assert.ok(await alice.nothingWithin(150, (f) => f.type === "document_updated"), "the sender does not get its own broadcast");
    alice.send({ type: "application_changed", application_id: "app-1" });
    assert.equal((await bob.nextOfType("application_changed")).application_id, "app-1");
    for (const c of [alice, bob, carol]) c.close();
  });

  it("refuses other event types with an error and keeps the socket open", async () => {
    const id = await create(["alice", "bob"]);
    const alice = await join(id, "alice");
    const bob = await join(id, "bob");
    for (const type of ["user_joined", "delete_everything"]) {
      alice.send({ type, user_id: "mallory" });
      const err = await alice.nextOfType("error");
      assert.match(String(err.message), new RegExp(type), `the error names ${type}`);
    }
    assert.ok(await bob.nothingWithin(150, (f) => f.type === "delete_everything" || (f.type === "user_joined" && f.user_id === "mallory")), "nothing refused reaches others");
    alice.send({ type: "ping" });
    await alice.nextOfType("pong");
    alice.close();
    bob.close();
  });

  it("lets backends publish events and add members over REST; the new member is announced and may join", async () => {
    const id = await create(["alice"]);
    const alice = await join(id, "alice");
    const published = await expectJson<{ offset: number }>(
      await gw.api(`/api/v1/workspaces/${id}/events`, { body: { type: "document_updated", document_id: "doc-1", action: "created" } }),
      200,
      "a backend's event",
    );
    assert.equal(typeof published.offset, "number");
    const ev = await alice.nextOfType("document_updated");
    assert.deepEqual([ev.document_id, ev.sender_id], ["doc-1", null], "a backend's event has no sender");
    await expectJsonError(await gw.api(`/api/v1/workspaces/${id}/events`, { body: { type: "user_left" } }), 400, "LG_ERR_REQUEST_INVALID", "a server-only type");
    await expectJsonError(await gw.api(`/api/v1/workspaces/${unique("none")}/events`, { body: { type: "document_updated" } }), 404, "LG_ERR_WORKSPACE_NOT_FOUND", "an unknown workspace");
    const dave = await openAs(gw, workspacePath(id), "dave");
    await assertClosed(dave, 1008, "Not a workspace member", "dave before he is added");
    await expectJson(await gw.api(`/api/v1/workspaces/${id}/members`, { body: { user_id: "dave" } }), 201, "adding dave");
    const added = await alice.nextOfType("member_added");
    assert.equal(added.user_id, "dave");
    const dave2 = await join(id, "dave");
    dave2.close();
    await expectJsonError(await gw.api("/api/v1/workspaces", { body: { workspace_id: id, name: "Again", members: [] } }), 409, "LG_ERR_WORKSPACE_EXISTS", "a taken id");
    const ws = await expectJson<{ members: string[] }>(await gw.api(`/api/v1/workspaces/${id}`), 200, "reading the workspace");
    assert.deepEqual(ws.members, ["alice", "dave"]);
    alice.close();
  });

  it("answers who is connected, over the socket and over REST", async () => {
    const id = await create(["alice", "bob", "carol"]);
    const alice = await join(id, "alice");
    const bob1 = await join(id, "bob");
    const bob2 = await join(id, "bob");
    await alice.nextOfType("user_joined");
    await alice.nextOfType("user_joined");
    const expected = [{ user_id: "alice", connections: 1 }, { user_id: "bob", connections: 2 }];
    const sort = (u: { user_id: string }[]) => [...u].sort((a, b) => a.user_id.localeCompare(b.user_id));
    alice.send({ type: "presence" });
    const p = await alice.nextOfType("presence");
    assert.deepEqual(sort(p.users), expected, "presence over the socket");
    const rest = await expectJson<{ users: { user_id: string }[] }>(await gw.api(`/api/v1/workspaces/${id}/presence`), 200, "presence with the API key");
    assert.deepEqual(sort(rest.users), expected);
    const asCarol = await fetch(`${gw.url}/api/v1/workspaces/${id}/presence`, { headers: { authorization: `Bearer ${await gw.token("carol")}` } });
    await expectJson(asCarol, 200, "presence for a member's JWT");
    const asEve = await fetch(`${gw.url}/api/v1/workspaces/${id}/presence`, { headers: { authorization: `Bearer ${await gw.token("eve")}` } });
    await expectJsonError(asEve, 403, "LG_ERR_WORKSPACE_FORBIDDEN", "presence for a non-member");
    for (const c of [alice, bob1, bob2]) c.close();
  });
});
