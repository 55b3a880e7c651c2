import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createChatChunk,
  createChatResponse,
  createError,
  createJobCompleted,
  createJobFailed,
  createJobProgress,
  createNotification,
  GatewayError,
  WSMessage,
  WSMessageType,
} from "../../../src/index.js";
import { ISO_UTC } from "./helpers.js";

/** The "Type" column of the seed's two message tables. */
const SEED_TYPES = [
  "chat.query",
  "ping",
  "connected",
  "disconnected",
  "authenticated",
  "auth_required",
  "chat.scenario",
  "chat.chunk",
  "chat.response",
  "chat.done",
  "chat.error",
  "job.started",
  "job.progress",
  "job.completed",
  "job.failed",
  "notification",
  "error",
  "pong",
  "cpg.update.complete",
];

describe("WSMessage", () => {
  it("WSMessageType has the 19 values of the seed's tables, by their enum names", () => {
    assert.deepEqual(Object.values(WSMessageType).sort(), [...SEED_TYPES].sort());
    assert.equal(WSMessageType.CPG_UPDATE_COMPLETE, "cpg.update.complete");
    assert.equal(WSMessageType.AUTH_REQUIRED, "auth_required");
  });

  it("serializes with an empty payload and a UTC timestamp by default, request_id only when set", () => {
    const json = JSON.parse(new WSMessage({ type: WSMessageType.PONG }).toJson()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json), ["type", "payload", "timestamp"]);
    assert.deepEqual(json.payload, {});
    assert.match(json.timestamp as string, ISO_UTC);
    const withId = JSON.parse(new WSMessage({ type: "chat.query", payload: { query: "Find vulnerabilities" }, requestId: "req-001" }).toJson());
    assert.equal(withId.request_id, "req-001");
  });

  it("parses the seed's serialization example and round-trips it", () => {
    const text = '{"type": "chat.query", "payload": {"query": "Find vulnerabilities"}, "timestamp": "2026-03-07T10:30:00Z", "request_id": "req-001"}';
    const msg = WSMessage.fromJson(text);
    assert.equal(msg.type, WSMessageType.CHAT_QUERY);
    assert.deepEqual(msg.payload, { query: "Find vulnerabilities" });
    assert.equal(msg.requestId, "req-001");
    assert.equal(msg.timestamp.toISOString(), "2026-03-07T10:30:00.000Z");
    assert.deepEqual(WSMessage.fromJson(msg.toJson()), msg);
    const bare = WSMessage.fromJson('{"type":"ping"}');
    assert.deepEqual([bare.payload, bare.requestId], [{}, null], "payload defaults to {} and request_id to null");
  });

  it("refuses malformed frames with a GatewayError that says what is wrong", () => {
    for (const [text, detail] of [
      ["{", /JSON/],
      ["[1]", /object/],
      ['{"payload":{}}', /type/],
      ['{"type":"ping","payload":[]}', /payload/],
      ['{"type":"ping","request_id":5}', /request_id/],
      ['{"type":"ping","timestamp":"soon"}', /timestamp/],
    ] as const) {
      assert.throws(() => WSMessage.fromJson(text), (e: unknown) => e instanceof GatewayError && detail.test(e.message), text);
    }
  });
});

describe("the seed's helper functions", () => {
  it("createChatChunk(content, requestId?, isFinal?)", () => {
    const m = createChatChunk("Processing your query...", "req-001");
    assert.deepEqual([m.type, m.payload, m.requestId], ["chat.chunk", { content: "Processing your query...", is_final: false }, "req-001"]);
    assert.equal(createChatChunk("", null, true).payload.is_final, true);
  });

  it("createChatResponse(answer, scenarioId, confidence, sessionId, requestId?)", () => {
    const m = createChatResponse("Found 3", "security_audit", 0.92, "sess-abc123", "r");
    assert.deepEqual(m.payload, { answer: "Found 3", scenario_id: "security_audit", confidence: 0.92, session_id: "sess-abc123" });
    assert.equal(m.requestId, "r");
  });

  it("createJobProgress(jobId, progress, message?)", () => {
    assert.deepEqual(createJobProgress("job-abc", 45, "Analyzing files...").payload, { job_id: "job-abc", progress: 45, message: "Analyzing files..." });
    assert.deepEqual(createJobProgress("job-abc", 50).payload, { job_id: "job-abc", progress: 50 });
  });

  it("createJobCompleted(jobId, result) and createJobFailed(jobId, error, details?) carry the seed's five fields", () => {
    const done = createJobCompleted("abc123", { files_processed: 150 });
    assert.equal(done.type, "job.completed");
    assert.deepEqual(Object.keys(done.payload), ["job_id", "status", "result", "error", "completed_at"]);
    assert.deepEqual([done.payload.status, done.payload.error], ["completed", null]);
    assert.match(done.payload.completed_at as string, ISO_UTC);
    const failed = createJobFailed("abc123", "Connection timeout", "after 3 retries");
    assert.deepEqual(
      { ...failed.payload, completed_at: "t" },
      { job_id: "abc123", status: "failed", result: null, error: "Connection timeout", completed_at: "t", details: "after 3 retries" },
    );
  });

  it("createNotification(title, message, level?, actionUrl?) puts the level under type", () => {
    assert.deepEqual(createNotification("Import Complete", "done").payload, { title: "Import Complete", message: "done", type: "info" });
    assert.deepEqual(createNotification("T", "M", "success", "/projects/1").payload, { title: "T", message: "M", type: "success", action_url: "/projects/1" });
  });

  it("createError(error, details?, requestId?)", () => {
    const m = createError("Query is required", "payload.query is empty", "req-9");
    assert.deepEqual(JSON.parse(m.toJson()).payload, { error: "Query is required", details: "payload.query is empty" });
    assert.equal(JSON.parse(m.toJson()).request_id, "req-9");
    assert.deepEqual(createError("Invalid message format").payload, { error: "Invalid message format" });
  });
});
