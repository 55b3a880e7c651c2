import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, it } from "node:test";
import { CODEGRAPH_CLOSE, ERROR_TEXT } from "../../../src/dialects/codegraph/codes.js";
import { WSMessageType } from "../../../src/dialects/codegraph/envelope.js";
import { CODEGRAPH_ROUTES } from "../../../src/dialects/codegraph/index.js";

// Compiled to build-test/test/dialects/codegraph/; the repository root is four levels up.
const read = (p: string) => readFileSync(resolve(import.meta.dirname, "../../../..", p), "utf8");

describe("docs/protocol-codegraph.md stays true to the code", () => {
  const doc = read("docs/protocol-codegraph.md");

  it("lists every close code the dialect uses", () => {
    for (const [name, c] of Object.entries(CODEGRAPH_CLOSE)) {
      if (name === "normal") continue;
      assert.ok(doc.includes(`| ${c.code} |`), `the close code table lacks ${c.code} (${name})`);
    }
  });

  it("names every error string and message type", () => {
    for (const text of Object.values(ERROR_TEXT)) assert.ok(doc.includes(text), `the doc never mentions the error "${text}"`);
    for (const type of Object.values(WSMessageType)) assert.ok(doc.includes(`\`${type}\``), `the doc never mentions the type ${type}`);
  });

  it("README lists every CodeGraph endpoint", () => {
    const readme = read("README.md");
    for (const path of Object.values(CODEGRAPH_ROUTES)) assert.ok(readme.includes(path), `README lacks ${path}`);
  });
});
