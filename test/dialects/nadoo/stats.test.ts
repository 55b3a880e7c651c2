import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TestClient } from "../../helpers/client.js";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { expectJson, expectJsonError } from "../../helpers/http.js";
import { eventually } from "../../helpers/tokens.js";
import { addSessionMember, debugPath, joinChat, notificationsPath, openAs, workspacePath } from "./helpers.js";

interface Stats {
  total_connections: number;
  active_sessions: number;
  active_users: number;
  details: { sessions: Record<string, number>; users: Record<string, number> };
}

describe("Nadoo connection statistics GET /ws/stats", () => {
  let gw: TestGateway;
  before(async () => {
    // A gateway of its own: the counts must be exactly the sockets this test opens.
    gw = await startTestGateway();
  });
  after(() => gw.close());

  const stats = async () => expectJson<Stats>(await gw.api("/ws/stats"), 200, "the stats");

  it("counts every protocol's sockets, per session (workspaces as workspace_{id}) and per user", async () => {
    assert.deepEqual(await stats(), { total_connections: 0, active_sessions: 0, active_users: 0, details: { sessions: {}, users: {} } });
    const alice = await joinChat(gw, "session-abc", "alice");
    await addSessionMember(gw, "session-abc", "bob");
    const bob = await joinChat(gw, "session-abc", "bob");
    assert.equal((await gw.api("/api/v1/workspaces", { body: { workspace_id: "ws-123", name: "Team", members: ["alice"] } })).status, 201);
    const aliceWs = await openAs(gw, workspacePath("ws-123"), "alice");
    await aliceWs.nextOfType("connected");
    const carol = await openAs(gw, notificationsPath("carol"), "carol");
    await carol.nextOfType("connected");
    const dave = await TestClient.connect(gw.wsUrl("/api/v1/ws/chat", { token: await gw.token("dave") }));
    await dave.nextOfType("connected");
    const erin = await TestClient.connect(gw.wsUrl("/ws", { token: await gw.token("erin") }));
    await erin.nextOfType("connected");
    const exec = (await (await gw.api("/api/v1/plugin/executions", { body: { plugin_id: "p", tool_name: "t" } })).json()) as { execution_id: string };
    const debug = await TestClient.connect(gw.wsUrl(debugPath(exec.execution_id)));
    await debug.nextOfType("execution_info");

    assert.deepEqual(await stats(), {
      total_connections: 7,
      active_sessions: 2,
      active_users: 5,
      details: {
        sessions: { "session-abc": 2, "workspace_ws-123": 1 },
        users: { alice: 2, bob: 1, carol: 1, dave: 1, erin: 1 },
      },
    });

    bob.close();
    debug.close();
    const settled = await eventually(async () => {
      const s = await stats();
      return s.total_connections === 5 && s.details.sessions["session-abc"] === 1 && s.details.users.bob === undefined && s.active_users === 4;
    });
    assert.ok(settled, `the counts follow closed sockets: ${JSON.stringify(await stats())}`);
    for (const c of [alice, aliceWs, carol, dave, erin]) c.close();
  });

  it("requires the API key", async () => {
    await expectJsonError(await fetch(`${gw.url}/ws/stats`), 401, "LG_ERR_API_KEY", "no key");
    await expectJsonError(await fetch(`${gw.url}/ws/stats`, { headers: { authorization: `Bearer ${await gw.token("alice")}` } }), 401, "LG_ERR_API_KEY", "a user's token");
  });
});
