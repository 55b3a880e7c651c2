import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, it } from "node:test";
import { CHAT_ACTIONS } from "../../../src/dialects/unacode/chat.js";
import { UNACODE_CLOSE, UNACODE_ERROR_CODES } from "../../../src/dialects/unacode/codes.js";
import { CLIENT_TYPES } from "../../../src/dialects/unacode/envelope.js";
import { SUBSCRIBABLE_TYPES } from "../../../src/dialects/unacode/events.js";

// Compiled to build-test/test/dialects/unacode/; the repository root is four levels up.
const read = (p: string) => readFileSync(resolve(import.meta.dirname, "../../../..", p), "utf8");

describe("docs/protocol-unacode.md stays true to the code", () => {
  const doc = read("docs/protocol-unacode.md");

  it("lists every close code the dialect uses, with its reason", () => {
    for (const [name, c] of Object.entries(UNACODE_CLOSE)) {
      if (name === "normal") continue;
      assert.ok(doc.includes(`| ${c.code} |`), `the close code table lacks ${c.code} (${name})`);
      if (c.code !== 1009) assert.ok(doc.includes(`| ${c.code} | ${c.reason} |`), `the close code table lacks ${c.code} "${c.reason}" (${name})`);
    }
  });

  it("names every error code, message type, chat action and subscribable type", () => {
    for (const code of Object.values(UNACODE_ERROR_CODES)) assert.ok(doc.includes(`| \`${code}\` |`), `the error table lacks ${code}`);
    for (const type of CLIENT_TYPES) assert.ok(doc.includes(`\`${type}\``), `the doc never mentions the type ${type}`);
    for (const action of CHAT_ACTIONS) assert.ok(doc.includes(`| \`${action}\` |`), `the chat table lacks ${action}`);
    for (const type of SUBSCRIBABLE_TYPES) assert.ok(doc.includes(`\`${type}\``), `the doc never mentions ${type}`);
    for (const type of ["chat_chunk", "user_notification", "auth_required"]) assert.ok(doc.includes(`\`${type}\``), `the doc never mentions ${type}`);
  });

  it("README lists the UnaCODE endpoint and the system events route", () => {
    const readme = read("README.md");
    assert.ok(readme.includes("docs/protocol-unacode.md"), "README links the UnaCODE protocol");
    assert.ok(readme.includes("`POST /api/v1/system/events`"), "README lists the system events route");
    assert.ok(readme.includes("--unacode-port"), "README names the UnaCODE port flag");
  });
});
