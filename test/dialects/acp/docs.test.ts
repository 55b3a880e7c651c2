import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, it } from "node:test";
import { DISCONNECT_REASONS, type DisconnectReason } from "../../../src/core/disconnect.js";
import { RPC_ERRORS } from "../../../src/dialects/acp/codes.js";
import { livegateClose as closeFor } from "../../../src/core/disconnect.js";
import { paramSchemas } from "../../../src/dialects/acp/frames.js";

// Compiled to build-test/test/dialects/acp/; the repository root is four levels up.
const root = resolve(import.meta.dirname, "../../../..");
const doc = readFileSync(resolve(root, "docs/protocol-acp.md"), "utf8");

describe("docs/protocol-acp.md stays true to the code", () => {
  it("lists every JSON-RPC error code the dialect answers with", () => {
    for (const [name, code] of Object.entries(RPC_ERRORS)) assert.ok(doc.includes(`| ${code} |`), `docs/protocol-acp.md lacks error code ${code} (${name})`);
  });

  it("lists every close code the dialect closes with", () => {
    for (const reason of Object.keys(DISCONNECT_REASONS) as DisconnectReason[]) {
      const { code } = closeFor(reason);
      assert.ok(doc.includes(`| ${code} |`), `docs/protocol-acp.md lacks close code ${code} (reason ${reason})`);
    }
  });

  it("lists every method the dialect serves", () => {
    for (const method of Object.keys(paramSchemas)) assert.ok(doc.includes(`| \`${method}\` |`), `docs/protocol-acp.md lacks method ${method}`);
  });

  it("has a row in README's endpoint table", () => {
    const readme = readFileSync(resolve(root, "README.md"), "utf8");
    assert.ok(readme.includes("`ws://…/api/v1/acp/ws`"), "README's endpoint table lacks /api/v1/acp/ws");
  });
});
