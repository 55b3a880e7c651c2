import assert from "node:assert/strict";
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { connectChannels } from "../helpers/client.js";

const exec = promisify(execFile);
// The compiled CLI beside this test (build-test/src/cli/main.js), so the test never runs a stale dist/.
const CLI = resolve(import.meta.dirname, "../../src/cli/main.js");
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("LIVEGATE_") && k !== "PORT"));

/** Starts `livegate serve` and resolves once the banner names the port. */
function startServe(dataDir: string): Promise<{ child: ChildProcess; port: number; banner: () => string }> {
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", "--host", "127.0.0.1", "--data-dir", dataDir], {
    env: cleanEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  return new Promise((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 10 s; output: ${out}`)), 10_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m && out.includes("API key")) {
        clearTimeout(timer);
        resolvePort({ child, port: Number(m[1]), banner: () => out });
      }
    });
    child.once("exit", (code) => reject(new Error(`serve exited with ${code}; output: ${out}`)));
  });
}

describe("the livegate CLI", () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "livegate-cli-"));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it("serves with a generated development secret, prints endpoints and a working token, and stops on SIGTERM", async () => {
    const { child, port, banner } = await startServe(dataDir);
    try {
      const text = banner();
      assert.match(text, /ws:\/\/127\.0\.0\.1:\d+\/ws\s+channels/, "the banner lists the /ws endpoint");
      assert.match(text, /POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/publish/, "the banner lists REST publishing");
      const devToken = /development token \(user "dev", 24 h\): (\S+)/.exec(text)?.[1];
      assert.ok(devToken, `the banner prints a development token:\n${text}`);
      const { client, connected } = await connectChannels(`ws://127.0.0.1:${port}/ws?token=${devToken}`);
      assert.equal(connected.data.user_id, "dev");

      // `livegate token` signs with the same development secret, read from the data dir.
      const { stdout } = await exec(process.execPath, [CLI, "token", "--user", "alice", "--data-dir", dataDir, "--json", "--claims", '{"channels":["room:*"]}'], { env: cleanEnv });
      const { token } = JSON.parse(stdout) as { token: string };
      const alice = await connectChannels(`ws://127.0.0.1:${port}/ws?token=${token}`);
      assert.equal(alice.connected.data.user_id, "alice");
      const sub = await alice.client.request("subscribe", { channel: "room:1" });
      assert.equal(sub.type, "subscribed", "the --claims JSON reached the token");

      const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      child.kill("SIGTERM");
      const [close, code] = await Promise.all([client.waitClosed(5000), exited]);
      assert.equal(close.code, 1001, "sockets are closed with 1001 on shutdown");
      assert.equal(code, 0, "the process exits 0 after a graceful shutdown");
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("explains a bad flag value and exits non-zero", async () => {
    await assert.rejects(
      exec(process.execPath, [CLI, "serve", "--port", "eighty", "--data-dir", dataDir], { env: cleanEnv }),
      (e: { code: number; stderr: string }) => e.code === 1 && /--port \/ LIVEGATE_PORT: expected an integer/.test(e.stderr),
    );
  });

  it("prints usage for token without --user", async () => {
    await assert.rejects(exec(process.execPath, [CLI, "token"], { env: cleanEnv }), (e: { code: number; stdout: string }) => e.code === 2 && /--user/.test(e.stdout));
  });
});
