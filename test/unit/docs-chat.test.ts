import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, it } from "node:test";
import { SETTINGS } from "../../src/cli/settings.js";
import { DEFAULT_SCENARIOS } from "../../src/core/options.js";
import { EmbeddedProvider } from "../../src/engines/chat/embedded.js";

// Compiled to build-test/test/unit/; the repository root is three levels up.
const doc = readFileSync(resolve(import.meta.dirname, "../../..", "docs/chat.md"), "utf8");

describe("docs/chat.md stays true to the code", () => {
  it("lists every chat setting with its option, flag and environment variable", () => {
    for (const s of SETTINGS.filter((x) => x.path[0] === "chat")) {
      assert.ok(doc.includes(`\`chat.${s.path[1]}\``), `docs/chat.md lacks the option chat.${s.path[1]}`);
      assert.ok(doc.includes(`\`--${s.flag}\``), `docs/chat.md lacks --${s.flag}`);
      for (const e of s.env) assert.ok(doc.includes(`\`${e}\``), `docs/chat.md lacks ${e}`);
    }
  });

  it("names every built-in scenario", () => {
    for (const s of DEFAULT_SCENARIOS) assert.ok(doc.includes(`\`${s.id}\``), `docs/chat.md lacks the scenario ${s.id}`);
  });

  it("quotes what the embedded engine says without documents, word for word", async () => {
    let said = "";
    for await (const ev of new EmbeddedProvider({ count: 0, search: () => [] }).stream({ messages: [{ role: "user", content: "hi" }] })) {
      if (ev.type === "delta") said += ev.text;
    }
    const quoted = doc.replace(/\s*\n\s*/g, " ");
    assert.ok(quoted.includes(said.trim()), `docs/chat.md should quote the no-documents answer: ${said}`);
  });
});
