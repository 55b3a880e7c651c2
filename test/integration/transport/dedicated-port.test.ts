import assert from "node:assert/strict";
import { createServer as createNetServer } from "node:net";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { Connection, type ConnectionOwner } from "../../../src/core/connection.js";
import { createMetrics } from "../../../src/core/metrics.js";
import { resolveOptions } from "../../../src/core/options.js";
import type { Dialect } from "../../../src/dialects/dialect.js";
import { TransportServer } from "../../../src/transport/server.js";
import { TestClient } from "../../helpers/client.js";
import type { Hub } from "../../../src/core/hub.js";

const limits = resolveOptions().limits;
const owner: ConnectionOwner = {
  codec: { key: "echo", encode: () => undefined },
  reportError: () => undefined,
  goodbye: () => ({ code: 1000, reason: "" }),
};

/** A dialect that answers every socket with what it was given: the path, the params and the token. */
function echoDialect(name: string, routes: string[], dedicatedPort?: number): Dialect {
  return {
    name,
    routes,
    dedicatedPort,
    accept(transport, ctx) {
      transport.send(JSON.stringify({ dialect: name, path: ctx.url.pathname, params: ctx.params, token: ctx.credential?.token ?? null }));
      return { connection: new Connection(name, transport, owner, limits, () => undefined), onFrame: () => undefined };
    },
  };
}

function transport(dialects: Dialect[], port = 0): TransportServer {
  return new TransportServer({
    host: "127.0.0.1",
    port,
    maxFrameBytes: 65536,
    dialects,
    requestHandler: (_req, res) => res.end("the REST app"),
    hub: {} as Hub,
    metrics: createMetrics(false),
    log: pino({ level: "silent" }),
  });
}

async function firstFrame(url: string): Promise<Record<string, unknown>> {
  const client = await TestClient.connect(url);
  try {
    return await client.next();
  } finally {
    client.close();
  }
}

describe("a dialect's dedicated port", () => {
  let server: TransportServer;
  let main: number;
  let own: number;
  before(async () => {
    server = transport([echoDialect("paths", ["/ws", "/jobs/{job_id}"]), echoDialect("solo", ["/", "/socket/{id}"], 0)]);
    main = await server.listen();
    own = server.dedicatedPorts.get("solo")!;
  });
  after(() => server.close());

  it("is a listener of its own beside the main port", () => {
    assert.ok(own > 0, `the solo dialect should have a bound port, got ${own}`);
    assert.notEqual(own, main, "the dedicated listener must not be the main port");
    assert.deepEqual([...server.dedicatedPorts.keys()], ["solo"], "only dialects that ask for one get a dedicated listener");
  });

  it("sends every upgrade to its dialect, whatever the path, with the token", async () => {
    for (const path of ["/", "/ws", "/anything/at/all"]) {
      const f = await firstFrame(`ws://127.0.0.1:${own}${path}?token=t1`);
      assert.deepEqual(f, { dialect: "solo", path, params: {}, token: "t1" }, `an upgrade on ${path} of the dedicated port should go to solo`);
    }
  });

  it("still gives the params of the dialect's own matching route", async () => {
    const f = await firstFrame(`ws://127.0.0.1:${own}/socket/abc`);
    assert.deepEqual(f.params, { id: "abc" }, "a path of the dialect's own routes keeps its params");
  });

  it("leaves the main port routing by path, the dedicated dialect's routes included", async () => {
    assert.equal((await firstFrame(`ws://127.0.0.1:${main}/ws`)).dialect, "paths");
    assert.equal((await firstFrame(`ws://127.0.0.1:${main}/`)).dialect, "solo", "the dialect keeps its routes on the main port");
    await assert.rejects(TestClient.connect(`ws://127.0.0.1:${main}/anything`), /HTTP 404/, "an unknown path on the main port is still a 404");
  });

  it("answers plain HTTP requests with the same REST app as the main port", async () => {
    const res = await fetch(`http://127.0.0.1:${own}/healthz`);
    assert.equal(await res.text(), "the REST app");
  });
});

describe("dedicated ports that cannot be opened", () => {
  it("refuse two listeners on one port at construction, naming both", () => {
    assert.throws(() => transport([echoDialect("a", ["/a"], 8765), echoDialect("b", ["/b"], 8765)]), /the b port 8765 is already the a port/);
    assert.throws(() => transport([echoDialect("a", ["/a"], 8765)], 8765), /the a port 8765 is already the main port/);
  });

  it("fail listen() when the port is taken, and close the listeners already open", async () => {
    const blocker = createNetServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const taken = (blocker.address() as { port: number }).port;
    const server = transport([echoDialect("a", ["/a"], taken)]);
    try {
      await assert.rejects(server.listen(), /EADDRINUSE/, "a taken dedicated port fails listen()");
      assert.equal(server.dedicatedPorts.size, 0, "no dedicated port is reported");
    } finally {
      await server.close();
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });
});
