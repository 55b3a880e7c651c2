import assert from "node:assert/strict";
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { eventually } from "../../helpers/tokens.js";
import { TestClient } from "../../helpers/client.js";
import { chatPath, loadDocument, workspacePath } from "./helpers.js";

// Compiled to build-test/test/dialects/nadoo/; the repository root is four levels up.
const root = resolve(import.meta.dirname, "../../../..");
const fixture = (name: string) => resolve(root, "test/dialects/nadoo", name);
const SEED = resolve(root, "../shared/seeds/004_f86e7eb5933ef981.txt");
const CLIENT_TIMEOUT_MS = 20_000;

/**
 * A Python 3 that has the `websockets` package: `$LIVEGATE_PYTHON`, `python3` on the PATH, or Debian's
 * `/usr/bin/python3` (with `python3-websockets`; a pyenv `python3` may come first on the PATH without it).
 */
function findPython(): string {
  const candidates = [process.env.LIVEGATE_PYTHON, "python3", "/usr/bin/python3"].filter((c): c is string => Boolean(c));
  for (const c of candidates) if (spawnSync(c, ["-c", "import websockets"], { stdio: "ignore" }).status === 0) return c;
  throw new Error(`no Python with the websockets package among ${candidates.join(", ")}: apt-get install -y python3-websockets`);
}

/** A Node child running module source given on stdin with the global WebSocket; its output so far. */
interface NodeRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function runNodeModule(source: string, env: Record<string, string> = {}): NodeRun {
  const child = spawn(process.execPath, ["--experimental-websocket", "--no-warnings", "--input-type=module", "-"], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  const exited = new Promise<number | null>((resolvePromise) => child.on("close", resolvePromise));
  const timer = setTimeout(() => child.kill("SIGKILL"), CLIENT_TIMEOUT_MS);
  void exited.then(() => clearTimeout(timer));
  child.stdin!.end(source);
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** The code between the `// <start>` and `// <end>` marker lines of a fixture. */
function between(text: string, start: string, end: string): string {
  const a = text.indexOf(`// ${start}\n`);
  const b = text.indexOf(`// ${end}\n`, a);
  assert.ok(a >= 0 && b > a, `markers ${start} … ${end} not found`);
  return text.slice(a + start.length + 4, b);
}

/** Text with every whitespace character removed: the seed's scraped code has spaces inside tokens (`f "…"`). */
const squeeze = (s: string): string => s.replace(/\s+/g, "");

describe("the Nadoo seed's client examples run unmodified against livegate", () => {
  let gw: TestGateway;
  before(async () => {
    // `localhost`, as the seed's client connects to: livegate then listens on 127.0.0.1 and ::1.
    gw = await startTestGateway({ host: "localhost" });
    await loadDocument(gw, "Q4 report", "The Q4 report shows revenue increased by 15% to 12.3 million dollars. The Q4 report also notes lower operating costs.");
  });
  after(() => gw.close());

  it("the Python chat_client prints the connection, the streamed answer and the tokens used", async () => {
    const python = findPython();
    const token = await gw.token("user-123");
    const { stdout } = await promisify(execFile)(python, [fixture("seed_chat_client.py"), String(gw.port), token], { timeout: CLIENT_TIMEOUT_MS });
    const m = /^Connected: (\{.*\})\n([\s\S]*)\n\nTokens used: (\d+)\n$/.exec(stdout);
    assert.ok(m, `unexpected output:\n${stdout}`);
    assert.match(m[1]!, /'type': 'connected', 'session_id': 'session-abc-123', 'user_id': 'user-123', 'timestamp': '\d{4}-/, "the connected frame, as Python prints it");
    const answer = m[2]!;
    assert.match(answer, /revenue increased by 15%/, `the streamed answer comes from the loaded document: ${answer}`);
    assert.ok(Number(m[3]) > 5, `tokens used: ${m[3]}`);
    // The same answer is in the message history, for a client that reconnects.
    const res = await fetch(`${gw.url}/api/v1/chat/app-uuid-123/messages`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200, "the history is readable with the same token");
    const body = (await res.json()) as { messages: { role: string; content: string }[] };
    assert.equal(body.messages.at(-1)?.content, answer, "the stored answer is the streamed one");
  });

  it("the JavaScript client example streams the answer, shows its sources and the tokens used", async () => {
    const source = readFileSync(fixture("seed_chat_client.mjs"), "utf8");
    // The seed hardcodes ws://localhost:8000 and a placeholder token; only those two literals change.
    assert.equal(source.split("localhost:8000").length, 2, "the seed's URL literal should appear exactly once");
    assert.equal(source.split("'eyJhbGciOiJIUzI1NiIs...'").length, 2, "the seed's token literal should appear exactly once");
    const token = await gw.token("user-123");
    const run = runNodeModule(source.replace("localhost:8000", `localhost:${gw.port}`).replace("'eyJhbGciOiJIUzI1NiIs...'", `'${token}'`));
    const code = await run.exited;
    assert.equal(code, 0, `the client should exit 0; stderr: ${run.stderr()}`);
    const m = /^Connected to chat\nSession ready: session-abc-123\nAI is responding\.\.\.\n\n\[sources: Q4 report\]\n([\s\S]+)Done\. Tokens: (\d+)\n$/.exec(run.stdout());
    assert.ok(m, `unexpected output:\n${run.stdout()}`);
    assert.match(m[1]!, /revenue increased by 15%/, "the streamed answer comes from the loaded document");
    assert.ok(Number(m[2]) > 5, `tokens used: ${m[2]}`);
  });

  it("createReconnectingWebSocket reconnects after the server drops the socket, backing off from 1 s", async () => {
    const user = "reconnecting-user";
    const url = gw.wsUrl(chatPath("reconnect-session"), { token: await gw.token(user) }).replace("127.0.0.1", "localhost");
    const run = runNodeModule(readFileSync(fixture("seed_reconnecting.mjs"), "utf8"), { NADOO_URL: url });
    try {
      const hub = gw.server.context.hub;
      const sockets = () => [...hub.connectionsOf(user)];
      for (let drop = 1; drop <= 2; drop++) {
        assert.ok(await eventually(() => Promise.resolve(sockets().length === 1), 5000, 20), `connected before drop ${drop}; stdout: ${run.stdout()} ${run.stderr()}`);
        const before = sockets()[0]!.id;
        sockets()[0]!.disconnect("shutdown");
        const back = await eventually(() => Promise.resolve(sockets().length === 1 && sockets()[0]!.id !== before), 5000, 20);
        assert.ok(back, `a new socket after drop ${drop}; stdout: ${run.stdout()}`);
        // A successful reconnect resets the back-off, so every drop waits 1 s again.
        assert.equal(run.stdout().split("Reconnecting in 1000ms...\n").length - 1, drop, `stdout after drop ${drop}: ${run.stdout()}`);
      }
    } finally {
      run.child.kill("SIGKILL");
      await run.exited;
    }
  });

  /** Waits until the child has printed `text`; fails with its output otherwise. */
  const printed = async (run: NodeRun, text: string): Promise<void> => {
    const ok = await eventually(() => Promise.resolve(run.stdout().includes(text)), 5000, 20);
    assert.ok(ok, `the client should print "${text}"; stdout: ${run.stdout()} stderr: ${run.stderr()}`);
  };

  it("the JavaScript workspace example broadcasts document_updated and hears the others join and edit", async () => {
    const id = "ws-seed";
    assert.equal((await gw.api("/api/v1/workspaces", { body: { workspace_id: id, name: "Team", members: ["alice", "bob", "carol"] } })).status, 201);
    const bob = await TestClient.connect(gw.wsUrl(workspacePath(id), { token: await gw.token("bob") }));
    await bob.nextOfType("connected");
    const source = readFileSync(fixture("seed_workspace_client.mjs"), "utf8");
    assert.equal(source.split("localhost:8000").length, 2, "the seed's URL literal should appear exactly once");
    const run = runNodeModule(source.replace("localhost:8000", `localhost:${gw.port}`), { WORKSPACE_ID: id, TOKEN: await gw.token("alice") });
    try {
      assert.equal((await bob.nextOfType("user_joined")).user_id, "alice", "bob hears alice join");
      const update = await bob.nextOfType("document_updated");
      assert.deepEqual([update.document_id, update.action, update.sender_id], ["doc-456", "edited", "alice"], "bob gets alice's broadcast");
      const carol = await TestClient.connect(gw.wsUrl(workspacePath(id), { token: await gw.token("carol") }));
      await printed(run, "toast: carol joined the workspace\n");
      carol.send({ type: "document_updated", document_id: "doc-789", action: "deleted" });
      await printed(run, "refresh documents\n");
      assert.ok(!run.stdout().includes("toast: alice"), "alice is not told of her own join");
      carol.close();
      bob.close();
    } finally {
      run.child.kill("SIGKILL");
      await run.exited;
    }
  });

  it("the JavaScript plugin debug example shows the tool, each live event and the result", async () => {
    const created = (await (await gw.api("/api/v1/plugin/executions", { body: { plugin_id: "web-search", tool_name: "search_web" } })).json()) as { execution_id: string };
    const id = created.execution_id;
    const post = async (type: string, data: unknown) => assert.equal((await gw.api(`/api/v1/plugin/executions/${id}/events`, { body: { type, data } })).status, 201);
    const source = readFileSync(fixture("seed_debug_client.mjs"), "utf8");
    assert.equal(source.split("'exec-uuid-123'").length, 2, "the seed's execution id literal should appear exactly once");
    const run = runNodeModule(source.replace("localhost:8000", `localhost:${gw.port}`).replace("'exec-uuid-123'", `'${id}'`));
    try {
      await printed(run, "Debugging: search_web\n");
      await post("step", { name: "fetch" });
      await post("variable", { name: "query", value: "livegate" });
      await post("log", { level: "info", message: "3 hits" });
      await post("execution_complete", { result: { hits: 3 } });
      await printed(run, "Execution finished: { hits: 3 }\n");
      assert.equal(
        run.stdout(),
        'Debugging: search_web\nstep: {"name":"fetch"}\nvariable: {"name":"query","value":"livegate"}\nconsole: {"level":"info","message":"3 hits"}\nExecution finished: { hits: 3 }\n',
        "every event reached the page's handlers, in order",
      );
    } finally {
      run.child.kill("SIGKILL");
      await run.exited;
    }
  });

  it("the fixture's chat_client is the seed's code, line for line", { skip: !existsSync(SEED) && `seed document not found at ${SEED}` }, () => {
    const seed = squeeze(readFileSync(SEED, "utf8"));
    const py = readFileSync(fixture("seed_chat_client.py"), "utf8");
    const body = py.slice(py.indexOf("async def chat_client"), py.indexOf('if __name__ == "__main__":'));
    assert.ok(seed.includes(squeeze(body)), "seed_chat_client.py's chat_client differs from the seed's");
    const js = readFileSync(fixture("seed_chat_client.mjs"), "utf8");
    for (const [start, end] of [["SEED PART 1", "END SEED PART 1"], ["SEED PART 2", "END SEED PART 2"]] as const) {
      assert.ok(seed.includes(squeeze(between(js, start, end))), `seed_chat_client.mjs's ${start} differs from the seed's`);
    }
    const workspace = readFileSync(fixture("seed_workspace_client.mjs"), "utf8");
    for (const [start, end] of [["SEED PART 1", "END SEED PART 1"], ["SEED PART 2", "END SEED PART 2"]] as const) {
      assert.ok(seed.includes(squeeze(between(workspace, start, end))), `seed_workspace_client.mjs's ${start} differs from the seed's`);
    }
    assert.ok(seed.includes(squeeze(between(readFileSync(fixture("seed_debug_client.mjs"), "utf8"), "SEED", "END SEED"))), "seed_debug_client.mjs differs from the seed's");
    const reconnect = between(readFileSync(fixture("seed_reconnecting.mjs"), "utf8"), "SEED", "END SEED");
    assert.ok(seed.includes(squeeze(reconnect)), "seed_reconnecting.mjs's createReconnectingWebSocket differs from the seed's");
  });
});
