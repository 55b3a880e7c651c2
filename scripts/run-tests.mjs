#!/usr/bin/env node
// Runs the compiled tests (build-test/, written by `npm run typecheck`) with node's test runner.
// Node 20's runner takes no globs, so the files are listed here. Extra args are passed through.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = "build-test/test";
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith(".test.js")) files.push(p);
  }
};
walk(root);
const filter = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const selected = filter.length ? files.filter((f) => filter.some((s) => f.includes(s))) : files;
if (selected.length === 0) {
  console.error(`no test files matched ${filter.join(" ") || root}`);
  process.exit(1);
}
const flags = process.argv.slice(2).filter((a) => a.startsWith("--"));
const r = spawnSync(
  process.execPath,
  ["--enable-source-maps", "--test", "--test-concurrency=4", ...flags, ...selected],
  { stdio: "inherit" },
);
process.exit(r.status ?? 1);
