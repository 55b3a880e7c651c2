import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalKeys, spelled } from "../../../../src/dialects/trustgraph/keys.js";

describe("TrustGraph key spellings", () => {
  it("turns underscore protocol keys into hyphen ones at every level of protocol structure", () => {
    const body = { operation: "x", doc_limit: 5, "document-metadata": { parent_id: "p", document_type: "page" }, list: [{ end_of_stream: true }] };
    assert.deepEqual(canonicalKeys(body), {
      operation: "x",
      "doc-limit": 5,
      "document-metadata": { "parent-id": "p", "document-type": "page" },
      list: [{ "end-of-stream": true }],
    });
  });

  it("never renames inside user data: config values, parameters, metadata, blueprint definitions, variables", () => {
    const user = { end_of_stream: 1, doc_limit: 2, nested: { chunk_type: "x" } };
    const body = {
      values: [{ type: "t", key: "k", value: user }],
      parameters: user,
      "document-metadata": { metadata: [user], title: "t" },
      blueprint_definition: user,
      variables: user,
      config: { t: user },
    };
    assert.deepEqual(canonicalKeys(body), {
      values: [{ type: "t", key: "k", value: user }],
      parameters: user,
      "document-metadata": { metadata: [user], title: "t" },
      "blueprint-definition": user,
      variables: user,
      config: { t: user },
    });
  });

  it("leaves keys it does not know alone, and the hyphen spelling wins when both are given", () => {
    assert.deepEqual(canonicalKeys({ my_key: 1, "doc-limit": 1, doc_limit: 2 }), { my_key: 1, "doc-limit": 1 });
    assert.deepEqual(canonicalKeys({ doc_limit: 2, "doc-limit": 1 }), { "doc-limit": 1 });
  });

  it("writes underscores for clients that ask, hyphens (unchanged) otherwise, never inside user data", () => {
    const body = { "chunk-type": "answer", "end-of-dialog": true, parameters: { "top-k": "5" }, "in-token": 3 };
    assert.equal(spelled(body, "hyphen"), body, "hyphen output is the body itself");
    assert.deepEqual(spelled(body, "underscore"), { chunk_type: "answer", end_of_dialog: true, parameters: { "top-k": "5" }, in_token: 3 });
  });

  it("passes scalars, arrays and null through", () => {
    assert.equal(canonicalKeys(null), null);
    assert.deepEqual(canonicalKeys([1, "a", { flow_id: "f" }]), [1, "a", { "flow-id": "f" }]);
  });
});
