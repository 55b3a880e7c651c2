import type { WebSocket } from "ws";
import type { Connection, ConnectionOwner, SharedFrame, Transport } from "../../../core/connection.js";
import type { DisconnectReason } from "../../../core/disconnect.js";
import type { GatewayError } from "../../../core/errors.js";
import type { ConnectionId, UserId } from "../../../core/types.js";
import type { AppContext } from "../../../services/context.js";
import { jobChannel } from "../../../services/jobs.js";
import { closeFor, errorTextFor } from "../codes.js";
import { WSMessageType, type WSMessage } from "../envelope.js";
import { createError, createSignal } from "../factories.js";
import { DIALECT_NAME } from "../session.js";

const TEXT = { binary: false } as const;

/** A socket an embedding program accepted itself (`connect`), as a core Transport. */
class ExternalTransport implements Transport {
  constructor(private readonly ws: WebSocket) {}
  send(data: string | Buffer): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(data, TEXT);
  }
  sendShared(frame: SharedFrame): void {
    this.send(frame.data);
  }
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }
  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(code, reason);
  }
  ping(): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.ping();
  }
}

/** Owner of an external socket: it receives what the manager sends it, and says CodeGraph's goodbye. */
class ExternalOwner implements ConnectionOwner {
  // Publications are not routed to external sockets; the program sends WSMessages through the manager.
  readonly codec = { key: "codegraph.external", encode: (): undefined => undefined };
  connection!: Connection;
  reportError(err: GatewayError): void {
    this.connection.transport.send(createError(errorTextFor(err), err.message).toJson());
  }
  goodbye(reason: DisconnectReason): { code: number; reason: string } {
    this.connection.transport.send(createSignal(WSMessageType.DISCONNECTED).toJson());
    return closeFor(reason);
  }
}

/**
 * CodeGraph's `WebSocketManager` (seed 000, "Server-Side API") over livegate's hub, in camelCase.
 * Counts and sends cover this node's connections; a publication (REST, services) reaches every node.
 * Messages are CodeGraph `WSMessage`s, so they go only to CodeGraph sockets (`dialect === "codegraph"`);
 * the counting methods count every socket of the hub, whatever its dialect.
 */
export class WebSocketManager {
  /** Users that asked for a job's updates through {@link WebSocketManager.subscribeToJob}. */
  private readonly jobUsers = new Map<string, Set<UserId>>();

  constructor(private readonly app: AppContext) {}

  /**
   * Registers a WebSocket the program accepted (and authenticated) itself, for `userId`; returns the
   * connection id. The socket then counts, receives `sendTo…`/`broadcast`, and gets `disconnected` and
   * CodeGraph's close codes from the server. Its inbound frames stay the program's business.
   * @throws GatewayError LG_ERR_CONNECTION_LIMIT when the user has too many connections
   */
  connect(userId: UserId, websocket: WebSocket): ConnectionId {
    const owner = new ExternalOwner();
    const conn = this.app.hub.open(DIALECT_NAME, new ExternalTransport(websocket), owner);
    owner.connection = conn;
    try {
      this.app.hub.authenticate(conn, { userId, claims: { sub: userId } });
    } catch (err) {
      conn.disconnect("tooManyConnections");
      throw err;
    }
    websocket.on("message", () => {
      conn.lastReceivedAt = Date.now();
    });
    websocket.on("pong", () => {
      conn.lastReceivedAt = Date.now();
    });
    websocket.on("close", () => conn.markClosed());
    return conn.id;
  }

  /** Closes one connection of the user (`disconnected`, then close 1000). */
  disconnect(userId: UserId, connId: ConnectionId): void {
    this.owned(userId, connId)?.disconnect("normal");
  }

  /** Sends to one connection; false if the user has no such connection (or it is not a CodeGraph socket). */
  sendToConnection(userId: UserId, connId: ConnectionId, message: WSMessage): boolean {
    const conn = this.owned(userId, connId);
    if (!conn || conn.dialect !== DIALECT_NAME) return false;
    conn.send(message.toJson());
    return true;
  }

  /** Sends to every CodeGraph connection of the user; returns how many got it. */
  sendToUser(userId: UserId, message: WSMessage): number {
    return this.sendTo(this.app.hub.connectionsOf(userId), message);
  }

  /** Sends to every CodeGraph connection, except those of `excludeUsers`; returns how many got it. */
  broadcast(message: WSMessage, excludeUsers: readonly UserId[] = []): number {
    const excluded = new Set(excludeUsers);
    const targets = [...this.app.hub.allConnections()].filter((c) => c.userId !== undefined && !excluded.has(c.userId));
    return this.sendTo(targets, message);
  }

  /** Adds the user to a job's recipients; false if it was already there. */
  subscribeToJob(userId: UserId, jobId: string): boolean {
    let users = this.jobUsers.get(jobId);
    if (!users) this.jobUsers.set(jobId, (users = new Set()));
    if (users.has(userId)) return false;
    users.add(userId);
    return true;
  }

  unsubscribeFromJob(userId: UserId, jobId: string): void {
    const users = this.jobUsers.get(jobId);
    if (users?.delete(userId) && users.size === 0) this.jobUsers.delete(jobId);
  }

  /**
   * Sends a message to the job's sockets (`/api/v1/ws/jobs/{id}`) and to the CodeGraph connections of the
   * users subscribed with {@link WebSocketManager.subscribeToJob}; returns how many got it. To record
   * progress (stored, on every node) use the JobHandler or the jobs service instead.
   */
  sendJobUpdate(jobId: string, message: WSMessage): number {
    const targets = new Set(this.app.hub.subscribersOf(jobChannel(jobId)));
    for (const user of this.jobUsers.get(jobId) ?? []) for (const c of this.app.hub.connectionsOf(user)) targets.add(c);
    return this.sendTo(targets, message);
  }

  /** Forgets every user subscribed to the job. */
  cleanupJobSubscriptions(jobId: string): void {
    this.jobUsers.delete(jobId);
  }

  /** Open connections on this node, of one user or of all. */
  getConnectionCount(userId?: UserId): number {
    return userId === undefined ? this.app.hub.connectionCount : this.app.hub.connectionsOf(userId).size;
  }

  /** Users with at least one connection on this node. */
  getUserCount(): number {
    return this.app.hub.userCount;
  }

  isUserConnected(userId: UserId): boolean {
    return this.app.hub.connectionsOf(userId).size > 0;
  }

  private owned(userId: UserId, connId: ConnectionId): Connection | undefined {
    const conn = this.app.hub.connection(connId);
    return conn && conn.userId === userId && !conn.closed ? conn : undefined;
  }

  private sendTo(conns: Iterable<Connection>, message: WSMessage): number {
    const json = message.toJson();
    let n = 0;
    for (const c of conns) {
      if (c.dialect !== DIALECT_NAME || c.closed) continue;
      c.send(json);
      n += 1;
    }
    return n;
  }
}
