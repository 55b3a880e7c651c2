import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChatChunkFrames, isoTime, WSMessage, WSMessageType } from "../../../../src/dialects/codegraph/envelope.js";
import { createChatChunk } from "../../../../src/dialects/codegraph/factories.js";

/** What the envelope writes for a chunk at time `at` (createChatChunk with that timestamp). */
const reference = (content: string, requestId: string | null, isFinal: boolean, at: number): string => {
  const msg = createChatChunk(content, requestId, isFinal);
  return new WSMessage({ type: msg.type, payload: msg.payload, requestId: msg.requestId, timestamp: new Date(at) }).toJson();
};

const CONTENTS = [
  "word ",
  "",
  'quote " and backslash \\ ',
  "line\nbreak\ttab\r\u0000\u001f\u007f ",
  "Unicode: привет, 漢字, emoji 😀 ",
  "lone surrogates \ud800 \udfff ",
  "separators \u2028\u2029 ",
  '{"type":"chat.chunk"} ',
  "x".repeat(5000),
];

describe("CodeGraph chat.chunk frames written directly", () => {
  it("are byte for byte createChatChunk(…).toJson() for any content, request id and finality", () => {
    const at = Date.UTC(2026, 10, 22, 17, 5, 9, 42);
    for (const requestId of ["req-1", null, 'odd "id" \\ é', ""]) {
      const frames = new ChatChunkFrames(requestId);
      for (const content of CONTENTS) {
        for (const isFinal of [false, true]) {
          assert.equal(frames.encode(content, isFinal, at), reference(content, requestId, isFinal, at), `${JSON.stringify(content).slice(0, 40)} / ${requestId} / ${isFinal}`);
        }
      }
    }
  });

  it("parse back to the chunk's type, payload, timestamp and request_id", () => {
    const at = Date.UTC(2030, 0, 1, 0, 0, 0, 1);
    const parsed = JSON.parse(new ChatChunkFrames("r-9").encode("héllo ", false, at)) as Record<string, unknown>;
    assert.deepEqual(parsed, { type: WSMessageType.CHAT_CHUNK, payload: { content: "héllo ", is_final: false }, timestamp: "2030-01-01T00:00:00.001Z", request_id: "r-9" });
  });

  it("are timestamped now by default", () => {
    const before = Date.now();
    const parsed = JSON.parse(new ChatChunkFrames("r").encode("a")) as { timestamp: string };
    const at = Date.parse(parsed.timestamp);
    assert.ok(at >= before && at <= Date.now(), `timestamp ${parsed.timestamp} is now`);
  });
});

describe("isoTime", () => {
  it("formats like toISOString, also when called again within the same or another millisecond", () => {
    for (const ms of [0, 1, 1, 999, 1_000, Date.UTC(2026, 10, 22, 23, 59, 59, 999), Date.UTC(2026, 10, 23), Date.UTC(2026, 10, 23), -1]) {
      assert.equal(isoTime(ms), new Date(ms).toISOString(), String(ms));
    }
  });

  it("throws for an invalid time, as toISOString does", () => {
    assert.throws(() => isoTime(Number.NaN), RangeError);
  });
});
