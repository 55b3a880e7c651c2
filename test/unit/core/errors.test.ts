import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ERRORS, GatewayError, toGatewayError } from "../../../src/core/errors.js";

describe("gateway errors", () => {
  it("fill their message template and carry status, kind and disconnect reason", () => {
    const e = new GatewayError("LG_ERR_CHANNEL_FORBIDDEN", { channel: "secret" });
    assert.equal(e.message, 'not allowed to subscribe to channel "secret"');
    assert.equal(e.status, 403);
    assert.equal(e.kind, "forbidden");
    assert.equal(new GatewayError("LG_ERR_AUTH_TOKEN_INVALID", { detail: "x" }).disconnect, "tokenInvalid");
  });

  it("carry retry_after for rate limits", () => {
    assert.equal(new GatewayError("LG_ERR_RATE_LIMITED", { retry_after: 2 }).retryAfterSec, 2);
  });

  it("wrap unknown faults as internal errors and keep the cause", () => {
    const cause = new Error("boom");
    const e = toGatewayError(cause);
    assert.equal(e.code, "LG_ERR_INTERNAL");
    assert.equal(e.cause, cause);
    assert.equal(e.message, "internal error", "internal details never reach the client");
  });

  it("use stable LG_ERR_ codes", () => {
    for (const code of Object.keys(ERRORS)) assert.match(code, /^LG_ERR_[A-Z_]+$/);
  });
});
