import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Mux, type Ticket } from "../../../../src/dialects/trustgraph/mux.js";

/** A request that runs until released; records that it started and whether it saw an abort. */
function gate() {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  const state = { started: false, aborted: false, release, ticket: undefined as Ticket | undefined };
  const run = async (t: Ticket): Promise<void> => {
    state.started = true;
    state.ticket = t;
    t.signal.addEventListener("abort", () => (state.aborted = true));
    await done;
  };
  return { state, run };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("TrustGraph mux", () => {
  it("runs at most maxInFlight at once and starts waiting requests in arrival order as slots free", async () => {
    const mux = new Mux(2, 10);
    const g = [gate(), gate(), gate(), gate()];
    g.forEach((x, i) => assert.equal(mux.submit(`r${i}`, "", x.run, () => undefined), undefined));
    assert.deepEqual(g.map((x) => x.state.started), [true, true, false, false]);
    assert.deepEqual([mux.inFlight, mux.queued], [2, 2]);
    g[1]!.state.release();
    await tick();
    assert.deepEqual(g.map((x) => x.state.started), [true, true, true, false], "the first waiting one takes the slot");
    g[0]!.state.release();
    await tick();
    assert.deepEqual(g.map((x) => x.state.started), [true, true, true, true]);
  });

  it("refuses a duplicate id while it is open, and a request beyond the queue bound", async () => {
    const mux = new Mux(1, 1);
    const a = gate();
    mux.submit("a", "", a.run, () => undefined);
    assert.equal(mux.submit("a", "", gate().run, () => undefined), "retry", "the same request again is a retry");
    assert.equal(mux.submit("a", "other", gate().run, () => undefined), "duplicate", "another request under an open id");
    assert.equal(mux.submit("b", "", gate().run, () => undefined), undefined);
    assert.equal(mux.submit("c", "", gate().run, () => undefined), "queue-full");
    a.state.release();
    await tick();
    assert.equal(mux.submit("a", "", gate().run, () => undefined), undefined, "an id is free again once its request ended");
  });

  it("cancels a running request (abort, slot freed at once) and a waiting one (never starts)", async () => {
    const mux = new Mux(1, 5);
    const [a, b, c] = [gate(), gate(), gate()];
    const cancelled: string[] = [];
    mux.submit("a", "", a.run, () => cancelled.push("a"));
    mux.submit("b", "", b.run, () => cancelled.push("b"));
    mux.submit("c", "", c.run, () => cancelled.push("c"));
    assert.equal(mux.cancel("b"), true);
    assert.equal(mux.cancel("a"), true);
    assert.deepEqual(cancelled, ["b", "a"]);
    assert.equal(a.state.aborted, true);
    assert.equal(a.state.ticket?.done, true, "the cancelled request is done: its runner sends nothing more");
    assert.equal(b.state.started, false);
    assert.equal(c.state.started, true, "c got the slot of a");
    assert.equal(mux.cancel("a"), false, "a is no longer open");
  });

  it("closeAll aborts every running request and drops the waiting ones without callbacks", () => {
    const mux = new Mux(1, 5);
    const [a, b] = [gate(), gate()];
    let callbacks = 0;
    mux.submit("a", "", a.run, () => callbacks++);
    mux.submit("b", "", b.run, () => callbacks++);
    mux.closeAll();
    assert.equal(a.state.aborted, true);
    assert.equal(b.state.started, false);
    assert.equal(callbacks, 0);
    assert.deepEqual([mux.inFlight, mux.queued], [0, 0]);
  });
});
