import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mergeRecovered } from "../../../src/core/recovery.js";
import type { Publication } from "../../../src/core/types.js";

const pub = (offset: number): Publication => ({ channel: "c", epoch: "e", offset, time: 0, type: "t", data: offset });
const offsets = (ps: Publication[]) => ps.map((p) => p.offset);

describe("mergeRecovered", () => {
  it("returns history then buffered live publications in offset order", () => {
    assert.deepEqual(offsets(mergeRecovered([pub(3), pub(4)], [pub(5), pub(6)], 2)), [3, 4, 5, 6]);
  });

  it("delivers an offset seen in both history and the live buffer once", () => {
    assert.deepEqual(offsets(mergeRecovered([pub(3), pub(4), pub(5)], [pub(4), pub(5), pub(6)], 2)), [3, 4, 5, 6]);
  });

  it("drops what the client already has", () => {
    assert.deepEqual(offsets(mergeRecovered([pub(1), pub(2), pub(3)], [pub(4)], 2)), [3, 4]);
  });

  it("handles an empty history and an empty buffer", () => {
    assert.deepEqual(offsets(mergeRecovered([], [pub(7)], 6)), [7]);
    assert.deepEqual(offsets(mergeRecovered([pub(7)], [], 6)), [7]);
    assert.deepEqual(mergeRecovered([], [], 0), []);
  });

  it("keeps the order when a live publication arrived before history was read", () => {
    // The buffer may start below the end of history: a publication landed between subscribe and read.
    assert.deepEqual(offsets(mergeRecovered([pub(2), pub(3), pub(4)], [pub(4)], 1)), [2, 3, 4]);
  });
});
