import { createServer, type IncomingMessage, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { WebSocketServer, type WebSocket } from "ws";
import type { Hub } from "../core/hub.js";
import { GatewayError } from "../core/errors.js";
import type { Metrics } from "../core/metrics.js";
import type { Dialect, DialectSession } from "../dialects/dialect.js";
import { BEARER_SUBPROTOCOL, credentialFrom } from "./credentials.js";
import { compileRoute, findRoute, type CompiledRoute } from "./routes.js";
import { WsTransport } from "./ws.js";

/** How the transport listens and what it routes. */
export interface TransportOptions {
  host: string;
  port: number;
  maxFrameBytes: number;
  dialects: readonly Dialect[];
  /** Fastify's request handler, shared by every listening server. */
  requestHandler: RequestListener;
  hub: Hub;
  metrics: Metrics;
  log: Logger;
}

/** `localhost` means both loopback addresses, so clients resolving it to either one connect. */
function addressesFor(host: string): string[] {
  return host === "localhost" ? ["127.0.0.1", "::1"] : [host];
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  const body = JSON.stringify({ error: { code: "LG_ERR_ROUTE_NOT_FOUND", message: text } });
  socket.end(
    `HTTP/1.1 ${status} ${status === 404 ? "Not Found" : "Bad Request"}\r\nConnection: close\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Routes an upgrade's path to a dialect and its params, or undefined for a 404. */
type Router = (path: string) => { target: Dialect; params: Record<string, string> } | undefined;

/**
 * The HTTP servers (one per listen address) and WebSocket upgrade routing by path to a dialect.
 * An upgrade on an unknown path gets HTTP 404. A dialect with a `dedicatedPort` also gets listeners of
 * its own, on the same addresses, where every upgrade goes to it.
 */
export class TransportServer {
  private readonly servers: Server[] = [];
  private readonly routes: CompiledRoute<Dialect>[];
  /** One WebSocket server per distinct frame limit (`ws` applies `maxPayload` per server). */
  private readonly wss = new Map<number, WebSocketServer>();
  private readonly dedicated = new Map<string, number>();

  /** @throws TypeError when two listeners would share a port */
  constructor(private readonly opts: TransportOptions) {
    this.routes = opts.dialects.flatMap((d) => d.routes.map((r) => compileRoute(r, d)));
    const taken = new Map<number, string>(opts.port === 0 ? [] : [[opts.port, "the main port"]]);
    for (const d of opts.dialects) {
      const port = d.dedicatedPort;
      if (port === undefined || port === 0) continue;
      const other = taken.get(port);
      if (other) throw new TypeError(`invalid livegate options: the ${d.name} port ${port} is already ${other}`);
      taken.set(port, `the ${d.name} port`);
    }
    for (const limit of new Set([opts.maxFrameBytes, ...opts.dialects.map((d) => d.maxFrameBytes ?? opts.maxFrameBytes)])) {
      this.wss.set(
        limit,
        new WebSocketServer({
          noServer: true,
          maxPayload: limit,
          perMessageDeflate: false,
          clientTracking: false,
          // Echo "bearer" when the token came as a subprotocol pair; never echo the token itself.
          handleProtocols: (protocols) => (protocols.has(BEARER_SUBPROTOCOL) ? BEARER_SUBPROTOCOL : false),
        }),
      );
    }
  }

  /** The WebSocket server that enforces `dialect`'s frame limit. */
  private wssFor(dialect: Dialect): WebSocketServer {
    return this.wss.get(dialect.maxFrameBytes ?? this.opts.maxFrameBytes)!;
  }

  /**
   * Listens on every address of the host, then on each dialect's dedicated port; returns the main port.
   * If any listener fails, those already open are closed and the error is thrown.
   */
  async listen(): Promise<number> {
    try {
      const port = await this.listenOn(this.opts.port, (path) => findRoute(this.routes, path));
      for (const d of this.opts.dialects) {
        if (d.dedicatedPort === undefined) continue;
        const own = d.routes.map((r) => compileRoute(r, d));
        // Every upgrade goes to the dialect; a path of its own routes still yields that route's params.
        const router: Router = (path) => findRoute(own, path) ?? { target: d, params: {} };
        this.dedicated.set(d.name, await this.listenOn(d.dedicatedPort, router));
      }
      return port;
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** The bound ports of the dialects' dedicated listeners, by dialect name (empty before `listen`). */
  get dedicatedPorts(): ReadonlyMap<string, number> {
    return this.dedicated;
  }

  /** Stops accepting new connections (open sockets are closed by the hub). */
  async close(): Promise<void> {
    const servers = this.servers.splice(0);
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
    for (const wss of this.wss.values()) wss.close();
  }

  /** Opens one server per address of the host on `port` (0: a free one, the same for every address). */
  private async listenOn(port: number, router: Router): Promise<number> {
    const addresses = addressesFor(this.opts.host);
    for (const [i, address] of addresses.entries()) {
      const server = createServer(this.opts.requestHandler);
      server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head, router));
      try {
        await new Promise<void>((resolve, reject) => {
          server.once("error", reject);
          server.listen(port, address, () => {
            server.off("error", reject);
            resolve();
          });
        });
      } catch (err) {
        // ::1 may be missing on hosts without IPv6; the first address must work.
        if (i === 0) throw err;
        this.opts.log.warn({ err, address }, "could not listen on secondary address");
        continue;
      }
      port = (server.address() as AddressInfo).port;
      this.servers.push(server);
    }
    return port;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, router: Router): void {
    socket.on("error", () => socket.destroy());
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      return refuseUpgrade(socket, 400, "bad request URL");
    }
    const found = router(url.pathname);
    if (!found) return refuseUpgrade(socket, 404, new GatewayError("LG_ERR_ROUTE_NOT_FOUND", { path: url.pathname }).message);
    const dialect = found.target;
    this.wssFor(dialect).handleUpgrade(req, socket, head, (ws) => {
      const credential = credentialFrom(req, url);
      let session: DialectSession;
      try {
        session = dialect.accept(new WsTransport(ws), { req, url, params: found.params, credential });
      } catch (err) {
        this.opts.log.error({ err, dialect: dialect.name }, "dialect failed to accept a socket");
        ws.close(1011, "internal error");
        return;
      }
      this.wire(ws, session, dialect.name);
    });
  }

  private wire(ws: WebSocket, session: DialectSession, dialect: string): void {
    const conn = session.connection;
    const received = this.opts.metrics.messagesReceived.labels({ dialect });
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      const wait = conn.admitFrame();
      if (conn.closed) return;
      if (wait > 0) {
        const err = new GatewayError("LG_ERR_RATE_LIMITED", { retry_after: Math.max(1, Math.ceil(wait)) });
        if (session.onRateLimited) session.onRateLimited(data, isBinary, err);
        else conn.owner.reportError(err);
        return;
      }
      received.inc();
      try {
        session.onFrame(data, isBinary);
      } catch (err) {
        this.opts.log.error({ err, dialect }, "frame handler threw");
        conn.fail(new GatewayError("LG_ERR_INTERNAL", {}, { cause: err }));
      }
    });
    ws.on("pong", () => {
      conn.lastReceivedAt = Date.now();
    });
    ws.on("error", (err) => {
      // ws closes with 1009 itself on an oversize frame, 1002 on protocol errors.
      this.opts.log.debug({ err, connection: conn.id }, "socket error");
    });
    ws.on("close", () => conn.markClosed());
  }
}
