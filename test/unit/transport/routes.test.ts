import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileRoute, findRoute } from "../../../src/transport/routes.js";
import { credentialFrom } from "../../../src/transport/credentials.js";
import type { IncomingMessage } from "node:http";

describe("upgrade routes", () => {
  const routes = [compileRoute("/ws", "channels"), compileRoute("/api/v1/ws/jobs/{job_id}", "jobs")];

  it("match exact paths and an optional trailing slash", () => {
    assert.equal(findRoute(routes, "/ws")?.target, "channels");
    assert.equal(findRoute(routes, "/ws/")?.target, "channels");
    assert.equal(findRoute(routes, "/wsx"), undefined);
  });

  it("extract decoded path parameters", () => {
    assert.deepEqual(findRoute(routes, "/api/v1/ws/jobs/abc%20123")?.params, { job_id: "abc 123" });
    assert.equal(findRoute(routes, "/api/v1/ws/jobs/"), undefined, "a parameter is never empty");
    assert.equal(findRoute(routes, "/api/v1/ws/jobs/a/b"), undefined, "a parameter is one segment");
  });

  it("do not match malformed percent-encoding", () => {
    assert.equal(findRoute(routes, "/api/v1/ws/jobs/%E0%A4%A"), undefined);
  });
});

describe("credentials on an upgrade request", () => {
  const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

  it("come from the query first, then the Authorization header, then the bearer subprotocol", () => {
    const url = new URL("http://x/ws?token=q");
    assert.deepEqual(credentialFrom(req({ authorization: "Bearer h" }), url), { token: "q", via: "query" });
    assert.deepEqual(credentialFrom(req({ authorization: "Bearer h" }), new URL("http://x/ws")), { token: "h", via: "header" });
    assert.deepEqual(credentialFrom(req({ "sec-websocket-protocol": "bearer, s.t.u" }), new URL("http://x/ws")), {
      token: "s.t.u",
      via: "subprotocol",
    });
  });

  it("are absent when none is given", () => {
    assert.equal(credentialFrom(req({ "sec-websocket-protocol": "bearer" }), new URL("http://x/ws")), undefined);
    assert.equal(credentialFrom(req({ authorization: "Basic abc" }), new URL("http://x/ws")), undefined);
  });
});
