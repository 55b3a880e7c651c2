import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConfigService } from "../../../src/services/config.js";
import { openTempStore, type TempStore } from "../../helpers/temp-store.js";

describe("ConfigService", () => {
  let tmp: TempStore;
  let config: ConfigService;
  before(async () => {
    tmp = await openTempStore();
    config = new ConfigService(tmp.store.config);
  });
  after(() => tmp.close());

  it("starts at version 0 with nothing in it", async () => {
    assert.equal(await config.version(), 0);
    assert.deepEqual(await config.snapshot(), { version: 0, config: {} });
  });

  it("puts, reads, lists and deletes, one version step per change", async () => {
    assert.equal(await config.put([{ type: "prompt", key: "a", value: "A" }, { type: "prompt", key: "b", value: "B" }]), 1);
    assert.equal(await config.get("prompt", "a"), "A");
    assert.equal(await config.get("prompt", "zz"), undefined);
    assert.deepEqual(await config.list("prompt"), ["a", "b"]);
    assert.equal(await config.put([{ type: "prompt", key: "a", value: "A2" }]), 2, "replacing a value is a change");
    assert.deepEqual(await config.getMany([{ type: "prompt", key: "b" }, { type: "x", key: "y" }, { type: "prompt", key: "a" }]), [
      { type: "prompt", key: "b", value: "B" },
      { type: "prompt", key: "a", value: "A2" },
    ]);
    assert.equal(await config.delete([{ type: "prompt", key: "a" }]), 3);
    assert.deepEqual(await config.snapshot(), { version: 3, config: { prompt: { b: "B" } } });
  });

  it("an empty put or delete changes nothing", async () => {
    const v = await config.version();
    assert.equal(await config.put([]), v);
    assert.equal(await config.delete([]), v);
  });

  it("gives concurrent changes distinct versions", async () => {
    const v = await config.version();
    const got = await Promise.all(Array.from({ length: 10 }, (_, i) => config.put([{ type: "n", key: `k${i}`, value: String(i) }])));
    assert.deepEqual([...got].sort((a, b) => a - b), Array.from({ length: 10 }, (_, i) => v + 1 + i));
  });

  it("keeps values and the version across a reopen of the store", async () => {
    const v = await config.version();
    const reopened = new ConfigService((await tmp.reopen()).config);
    assert.equal(await reopened.version(), v);
    assert.equal(await reopened.get("prompt", "b"), "B");
    config = reopened;
  });
});
