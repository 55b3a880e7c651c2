import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, it } from "node:test";
import { DISCONNECT_REASONS, type DisconnectReason } from "../../../src/core/disconnect.js";
import { closeFor } from "../../../src/dialects/trustgraph/codes.js";
import { PROTOCOL_KEYS, USER_DATA_KEYS } from "../../../src/dialects/trustgraph/keys.js";
import { TG_SERVICES } from "../../../src/dialects/trustgraph/services/index.js";

// Compiled to build-test/test/dialects/trustgraph/; the repository root is four levels up.
const root = resolve(import.meta.dirname, "../../../..");
const read = (p: string) => readFileSync(resolve(root, p), "utf8");

describe("docs/protocol-trustgraph.md stays true to the code", () => {
  const doc = read("docs/protocol-trustgraph.md");

  it("names every served service", () => {
    for (const s of TG_SERVICES) assert.ok(doc.includes(`\`${s.kind}\``), `the doc lacks the service ${s.kind}`);
  });

  it("lists the close code of every disconnect reason", () => {
    for (const reason of Object.keys(DISCONNECT_REASONS) as DisconnectReason[]) {
      const { code } = closeFor(reason);
      assert.ok(doc.includes(`| ${code} |`), `the close code table lacks ${code} (${reason})`);
    }
  });

  it("points at the key lists it describes", () => {
    assert.ok(doc.includes("PROTOCOL_KEYS") && doc.includes("USER_DATA_KEYS"));
    assert.ok(PROTOCOL_KEYS.includes("end-of-stream") && USER_DATA_KEYS.includes("parameters"));
  });

  it("README lists the socket, its port flag and the REST twins", () => {
    const readme = read("README.md");
    for (const s of ["`ws://…/api/v1/socket`", "--trustgraph-port", "`POST /api/v1/flow/{flow}/service/{kind}`"]) assert.ok(readme.includes(s), `README lacks ${s}`);
  });
});
