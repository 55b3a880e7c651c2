import assert from "node:assert/strict";
import { execFile, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";

// Compiled to build-test/test/dialects/codegraph/; the repository root is four levels up.
const root = resolve(import.meta.dirname, "../../../..");
const fixture = (name: string) => resolve(root, "test/dialects/codegraph", name);
const SEED = resolve(root, "../shared/seeds/000_dbd76db8d76a889e.txt");
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

/** Runs `node --experimental-websocket` on module source given on stdin; resolves with its output. */
function runNodeModule(source: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["--experimental-websocket", "--no-warnings", "--input-type=module", "-"], {
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the JavaScript client did not finish within ${CLIENT_TIMEOUT_MS} ms; stdout: ${stdout} stderr: ${stderr}`));
    }, CLIENT_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.end(source);
  });
}

/** The lines of `text` from the one starting with `first` to the one equal to `last` (trimmed), trimmed and non-empty. */
function block(text: string, first: string, last: string): string[] {
  const lines = text.split("\n").map((l) => l.trim());
  const start = lines.findIndex((l) => l.startsWith(first));
  const end = lines.findIndex((l, i) => i > start && l === last);
  assert.ok(start >= 0 && end > start, `block from "${first}" to "${last}" not found`);
  return lines.slice(start, end + 1).filter((l) => l.length > 0);
}

describe("the seed's client examples run unmodified against livegate", () => {
  let gw: TestGateway;
  before(async () => {
    // `localhost`, as the seed's clients connect to: livegate then listens on 127.0.0.1 and ::1.
    gw = await startTestGateway({ host: "localhost" });
    for (const doc of [
      { title: "Parser review", content: "The config parser copies input into a fixed 256-byte buffer without a length check: a buffer overflow." },
      { title: "Audit report", content: "The login handler builds SQL from user input: a SQL injection in the login query." },
    ]) {
      assert.equal((await gw.api("/api/v1/documents", { body: doc })).status, 201);
    }
  });
  after(() => gw.close());

  it("the Python chat_client prints the connection id, the streamed answer and its scenario and confidence", async () => {
    const python = findPython();
    const token = await gw.token("alice");
    const { stdout } = await promisify(execFile)(python, [fixture("seed_chat_client.py"), String(gw.port), token, "Find buffer overflows"], {
      timeout: CLIENT_TIMEOUT_MS,
    });
    const returned = /^RETURNED (.*)$/m.exec(stdout);
    assert.ok(returned, `the client should return its full response; output:\n${stdout}`);
    const answer = JSON.parse(returned[1]!) as string;
    assert.match(answer, /buffer overflow/, "the answer comes from the loaded document");
    const m = /^Connected: (c_\S+)\n([\s\S]*)\n\[scenario=(\S+), confidence=([\d.]+)\]\n\n--- Response complete ---\n/.exec(stdout);
    assert.ok(m, `unexpected output:\n${stdout}`);
    assert.equal(m[2], answer, "the streamed chunks, printed as they came, are the answer");
    assert.equal(m[3], "security_audit");
    assert.ok(Number(m[4]) > 0.5 && Number(m[4]) <= 1, `confidence ${m[4]}`);
  });

  it("the JavaScript ChatClient streams the answer and resolves with the full response", async () => {
    const source = readFileSync(fixture("seed_chat_client.mjs"), "utf8");
    // The seed hardcodes ws://localhost:8000; tests run on free ports. Only that one literal changes.
    assert.equal(source.split("localhost:8000").length, 2, "the seed's URL literal should appear exactly once");
    const run = await runNodeModule(source.replace("localhost:8000", `localhost:${gw.port}`), {
      CODEGRAPH_TOKEN: await gw.token("alice"),
      CODEGRAPH_QUERY: "Find SQL injections",
    });
    assert.equal(run.code, 0, `the client should exit 0; stderr: ${run.stderr}`);
    const m = /^([\s\S]*)\nFull response: ([\s\S]*)\n$/.exec(run.stdout);
    assert.ok(m, `unexpected output:\n${run.stdout}`);
    assert.equal(m[1], m[2], "the chunks written as they came equal the resolved full response");
    assert.match(m[2]!, /SQL injection/, "the answer comes from the loaded document");
  });

  it("the fixtures are the seed's code, line for line", { skip: !existsSync(SEED) && `seed document not found at ${SEED}` }, () => {
    const seed = readFileSync(SEED, "utf8");
    const seedLines = seed.split("\n").map((l) => l.trim()).filter((l) => l.length > 0).join("\n");
    const py = block(readFileSync(fixture("seed_chat_client.py"), "utf8"), "async def chat_client", "return full_response").join("\n");
    assert.ok(seedLines.includes(py), "seed_chat_client.py's chat_client differs from the seed's");
    const js = block(readFileSync(fixture("seed_chat_client.mjs"), "utf8"), "class ChatClient {", "client.close();");
    const jsClass = js.slice(0, js.indexOf("// Usage, as in the seed, with the token and the question from the environment."));
    assert.ok(seedLines.includes(jsClass.join("\n")), "seed_chat_client.mjs's ChatClient class differs from the seed's");
  });
});
