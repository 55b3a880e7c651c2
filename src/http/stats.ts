import type { FastifyInstance } from "fastify";
import type { GatewayContext } from "../core/context.js";
import { requireApiKey } from "./api-key.js";

/** Nadoo's connection statistics (seed 004, "Connection Statistics"). */
export interface ConnectionStats {
  total_connections: number;
  active_sessions: number;
  active_users: number;
  details: {
    /** Sockets per session: a chat session by its id, a workspace as `workspace_{id}`. */
    sessions: Record<string, number>;
    /** Sockets per user. */
    users: Record<string, number>;
  };
}

/** The session key a channel counts under, if it is a session's or a workspace's. */
function sessionKey(channel: string): string | undefined {
  if (channel.startsWith("session:")) return channel.slice(8);
  if (channel.startsWith("workspace:")) return `workspace_${channel.slice(10)}`;
  return undefined;
}

/**
 * Counts this node's sockets, of every protocol: all of them, per user (authenticated users; the plugin
 * debug console's token-less sockets count in the total only), and per session (sockets on a chat
 * session's or a workspace's channel, whichever protocol they speak).
 */
export function connectionStats(gw: GatewayContext): ConnectionStats {
  const sessions: Record<string, number> = {};
  const users: Record<string, number> = {};
  let total = 0;
  for (const conn of gw.hub.allConnections()) {
    total += 1;
    const p = conn.principal;
    if (p && p.claims.anonymous !== true) users[p.userId] = (users[p.userId] ?? 0) + 1;
    for (const channel of conn.subscriptions.keys()) {
      const key = sessionKey(channel);
      if (key !== undefined) sessions[key] = (sessions[key] ?? 0) + 1;
    }
  }
  return {
    total_connections: total,
    active_sessions: Object.keys(sessions).length,
    active_users: Object.keys(users).length,
    details: { sessions, users },
  };
}

/** `GET /ws/stats` (the path of Nadoo's docs), behind the API key: it names users. */
export function statsRoutes(app: FastifyInstance, gw: GatewayContext): void {
  app.get("/ws/stats", { preHandler: requireApiKey(gw.apiKey) }, () => connectionStats(gw));
}
