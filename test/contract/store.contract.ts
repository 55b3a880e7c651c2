import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Store } from "../../src/engines/store/store.js";

/** The contract every store engine must pass. `open` returns a migrated store on a fresh database. */
export function storeContract(engine: string, open: () => Promise<Store>): void {
  describe(`store contract: ${engine}`, () => {
    let store: Store;
    before(async () => {
      store = await open();
    });
    after(() => store.close());

    it("reads an absent setting as undefined", async () => {
      assert.equal(await store.getSetting(`absent-${Date.now()}`), undefined);
    });

    it("keeps the first value when two writers race to create a setting", async () => {
      const key = `race-${process.pid}-${Date.now()}`;
      const results = await Promise.all(["first", "second", "third"].map((v) => store.getOrCreateSetting(key, v)));
      assert.equal(new Set(results).size, 1, `every writer must see the same stored value, got ${results.join(", ")}`);
      assert.equal(await store.getSetting(key), results[0]);
    });

    it("answers ping", async () => {
      await store.ping();
    });
  });
}
