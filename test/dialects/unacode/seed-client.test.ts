import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";

// Compiled to build-test/test/dialects/unacode/; the repository root is four levels up.
const root = resolve(import.meta.dirname, "../../../..");
const FIXTURE = resolve(root, "test/dialects/unacode/seed_unacode_client.mjs");
const SEED = resolve(root, "../shared/seeds/001_ca45190eaef27fb2.txt");
const CLIENT_TIMEOUT_MS = 20_000;

interface ClientEvent {
  what: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
}

/** The text of `class UnaCODEWebSocket { … }` (braces matched), its lines trimmed, blank ones dropped. */
function seedClass(text: string): string {
  const start = text.indexOf("class UnaCODEWebSocket {");
  assert.ok(start >= 0, "class UnaCODEWebSocket not found");
  let depth = 0;
  let end = start;
  for (let i = text.indexOf("{", start); i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) {
      end = i + 1;
      break;
    }
  }
  return text
    .slice(start, end)
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .join("\n");
}

/**
 * Runs the fixture as an ES module in `node --experimental-websocket`, calling `onEvent` for each
 * `EVENT <json>` line it prints; resolves with every event and the exit code.
 */
function runSeedClient(
  source: string,
  env: Record<string, string>,
  onEvent: (ev: ClientEvent) => void,
): Promise<{ code: number | null; events: ClientEvent[]; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["--experimental-websocket", "--no-warnings", "--input-type=module", "-"], {
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const events: ClientEvent[] = [];
    let pending = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      pending += d.toString("utf8");
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (!line.startsWith("EVENT ")) continue; // the seed's own console.log('Received:', …) output
        const ev = JSON.parse(line.slice(6)) as ClientEvent;
        events.push(ev);
        onEvent(ev);
      }
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the seed's client did not finish within ${CLIENT_TIMEOUT_MS} ms; events: ${JSON.stringify(events).slice(0, 2000)} stderr: ${stderr}`));
    }, CLIENT_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, events, stderr });
    });
    child.stdin.end(source);
  });
}

describe("the seed's JavaScript UnaCODEWebSocket class runs as written against livegate", () => {
  let gw: TestGateway;
  before(async () => {
    // `localhost`, as the seed's URL says: livegate then listens on 127.0.0.1 and ::1. UnaCODE gets its own
    // port as in the seed (ws://localhost:8765), here a free one.
    gw = await startTestGateway({ host: "localhost", unacode: { port: 0 } });
    const doc = { title: "Deployment guide", content: "Healthcare teams are deployed with the v2 orchestrator after a code review." };
    assert.equal((await gw.api("/api/v1/documents", { body: doc })).status, 201, "the document for the embedded engine should load");
  });
  after(() => gw.close());

  const cases = [
    { where: "on UnaCODE's own port", port: () => gw.server.dedicatedPorts.get("unacode")! },
    { where: "on the root of the main port", port: () => gw.port },
  ];
  for (const c of cases) {
    it(`connects ${c.where}, heartbeats, chats and receives an orchestrator_status event through its handleMessage switch`, async () => {
      const source = readFileSync(FIXTURE, "utf8");
      // The seed hardcodes ws://localhost:8765; tests run on free ports. Only that one literal changes.
      assert.equal(source.split("localhost:8765").length, 2, "the seed's URL literal should appear exactly once");
      const user = `seed-${c.port()}`;
      const orchestrator = { orchestrator_id: "code_review_orchestrator", status: "completed", progress: 100, result: {} };
      let published: Promise<Response> | undefined;
      const run = await runSeedClient(
        source.replace("localhost:8765", `localhost:${c.port()}`),
        { UNACODE_TOKEN: await gw.token(user), UNACODE_QUESTION: "How are healthcare teams deployed?" },
        (ev) => {
          // The client has its answer: a backend now reports an orchestrator over REST, to this user.
          if (ev.what === "ready_for_orchestrator_status") {
            published = gw.api("/api/v1/system/events", { body: { type: "orchestrator_status", user_id: user, payload: orchestrator } });
          }
        },
      );
      const trace = JSON.stringify(run.events).slice(0, 3000);
      assert.equal(run.code, 0, `the client should exit 0 once the orchestrator update arrives; stderr: ${run.stderr}; events: ${trace}`);
      assert.equal((await published)?.status, 201, "the REST publication should be accepted");

      const messages = run.events.filter((e) => e.what === "message").map((e) => e.data);
      const auth = messages.find((m) => m.type === "auth");
      assert.equal(auth?.payload.status, "authenticated", `the auth message should be answered; events: ${trace}`);
      assert.equal(auth.id, "msg_1", "the auth reply carries the id the seed's send() gave the request");
      const heartbeat = messages.find((m) => m.type === "heartbeat");
      assert.equal(heartbeat?.payload.status, "alive", "the class's own heartbeat timer should get an alive reply");

      const chat = run.events.find((e) => e.what === "chat_message")?.data;
      assert.ok(chat, `handleChatMessage should receive the chat_message; events: ${trace}`);
      assert.equal(chat.type, "ai_response");
      assert.match(chat.content, /orchestrator/, "the answer comes from the loaded document");
      const started = messages.find((m) => m.type === "chat" && m.payload.action === "start_conversation");
      assert.equal(chat.conversation_id, started?.payload.conversation_id, "the answer belongs to the started conversation");

      const update = run.events.find((e) => e.what === "orchestrator_status")?.data;
      assert.deepEqual(update, orchestrator, "handleOrchestratorUpdate should receive the payload as published");
      for (const m of messages) assert.equal(m.user_id, user, `every message the socket got after auth names its user: ${JSON.stringify(m)}`);
    });
  }

  it("keeps the fixture's class the seed's, line for line", { skip: !existsSync(SEED) && `seed document not found at ${SEED}` }, () => {
    const fixture = seedClass(readFileSync(FIXTURE, "utf8"));
    assert.equal(fixture, seedClass(readFileSync(SEED, "utf8")), "seed_unacode_client.mjs's UnaCODEWebSocket differs from the seed's");
  });
});
