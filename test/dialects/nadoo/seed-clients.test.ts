import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.js";
import { loadDocument } from "./helpers.js";

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

  it("the fixture's chat_client is the seed's code, line for line", { skip: !existsSync(SEED) && `seed document not found at ${SEED}` }, () => {
    const seed = squeeze(readFileSync(SEED, "utf8"));
    const py = readFileSync(fixture("seed_chat_client.py"), "utf8");
    const body = py.slice(py.indexOf("async def chat_client"), py.indexOf('if __name__ == "__main__":'));
    assert.ok(seed.includes(squeeze(body)), "seed_chat_client.py's chat_client differs from the seed's");
  });
});
