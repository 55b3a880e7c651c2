import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConfigService } from "../../../src/services/config.js";
import { FlowError, FlowService } from "../../../src/services/flows.js";
import { openTempStore, type TempStore } from "../../helpers/temp-store.js";

describe("FlowService", () => {
  let tmp: TempStore;
  let config: ConfigService;
  let flows: FlowService;
  before(async () => {
    tmp = await openTempStore();
    config = new ConfigService(tmp.store.config);
    flows = new FlowService(config);
  });
  after(() => tmp.close());

  const rejects = (p: Promise<unknown>, reason: FlowError["reason"]) =>
    assert.rejects(p, (e: unknown) => e instanceof FlowError && e.reason === reason, `expected FlowError ${reason}`);

  it("seeds the default blueprint and flow on a fresh store, once", async () => {
    await flows.ensureDefaults();
    assert.deepEqual(await flows.listBlueprints(), ["default"]);
    assert.deepEqual(await flows.list(), ["default"]);
    const v = await config.version();
    await flows.stop("default");
    await flows.ensureDefaults();
    assert.deepEqual(await flows.list(), [], "a stopped default flow stays stopped");
    assert.equal(await config.version(), v + 1);
  });

  it("merges start parameters over blueprint defaults, as strings", async () => {
    await flows.putBlueprint("bp", { parameters: { model: { default: "m1" }, k: 3, note: { description: "no default" } } });
    const f = await flows.start({ id: "x", blueprint: "bp", description: "d", parameters: { k: 4, extra: true } });
    assert.deepEqual(f, { id: "x", blueprint: "bp", description: "d", parameters: { model: "m1", k: "4", extra: "true" }, interfaces: {} });
    assert.deepEqual(await flows.resolve("x"), f);
    assert.equal(await flows.resolve("nope"), undefined);
  });

  it("keeps a started flow's parameters when its blueprint changes later", async () => {
    await flows.putBlueprint("bp", { parameters: { model: { default: "m2" } } });
    assert.equal((await flows.get("x")).parameters.model, "m1");
  });

  it("refuses duplicates, missing things and deleting a blueprint in use", async () => {
    await rejects(flows.start({ id: "x", blueprint: "bp", description: "", parameters: {} }), "exists");
    await rejects(flows.start({ id: "y", blueprint: "none", description: "", parameters: {} }), "not-found");
    await rejects(flows.getBlueprint("none"), "not-found");
    await rejects(flows.get("none"), "not-found");
    await rejects(flows.stop("none"), "not-found");
    await rejects(flows.deleteBlueprint("bp"), "in-use");
    await flows.stop("x");
    await flows.deleteBlueprint("bp");
    await rejects(flows.deleteBlueprint("bp"), "not-found");
  });
});
