import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, it } from "node:test";
import { SETTINGS } from "../../src/cli/settings.js";
import { ERRORS } from "../../src/core/errors.js";
import { CLOSE_CODES } from "../../src/protocol/codes.js";

// Compiled to build-test/test/unit/; the repository root is three levels up.
const root = resolve(import.meta.dirname, "../../..");
const read = (p: string) => readFileSync(resolve(root, p), "utf8");

describe("the docs stay true to the code", () => {
  it("README's configuration table lists every flag and environment variable", () => {
    const readme = read("README.md");
    for (const s of SETTINGS) {
      assert.ok(readme.includes(`\`--${s.flag}\``), `README lacks --${s.flag}`);
      for (const e of s.env) assert.ok(readme.includes(`\`${e}\``), `README lacks ${e}`);
    }
  });

  it("README shows the two quick-start commands", () => {
    const readme = read("README.md");
    assert.ok(readme.includes("npm install && npm start"));
    assert.ok(readme.includes("npm install && npm test"));
  });

  it("docs/errors.md lists every error code", () => {
    const doc = read("docs/errors.md");
    for (const code of Object.keys(ERRORS)) assert.ok(doc.includes(`\`${code}\``), `docs/errors.md lacks ${code}`);
  });

  it("docs/protocol-channels.md lists every close code", () => {
    const doc = read("docs/protocol-channels.md");
    for (const [name, c] of Object.entries(CLOSE_CODES)) assert.ok(doc.includes(`| ${c.code} |`), `protocol doc lacks close code ${c.code} (${name})`);
  });
});
