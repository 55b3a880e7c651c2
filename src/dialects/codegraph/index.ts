import type { DialectFactory } from "../dialect.js";
import { ChatSession } from "./chat.js";
import { DashboardHeartbeat, DashboardSession } from "./dashboard.js";
import { JobSession } from "./jobs.js";
import { NotificationSession } from "./notifications.js";
import { installServerApi } from "./server-api/index.js";

/** CodeGraph's WebSocket paths (seed 000, "Endpoints"). */
export const CODEGRAPH_ROUTES = {
  chat: "/api/v1/ws/chat",
  jobs: "/api/v1/ws/jobs/{job_id}",
  notifications: "/api/v1/ws/notifications",
  dashboard: "/api/v2/dashboard/ws",
} as const;

/** CodeGraph's WebSocket API (seed 000; docs/protocol-codegraph.md). */
export const codegraphDialect: DialectFactory = (gw) => {
  // getWsManager() and the handlers of the seed's server-side API serve the gateway built last.
  installServerApi(gw);
  const heartbeat = new DashboardHeartbeat(gw, gw.options.codegraph.dashboardHeartbeatMs);
  let dashboardClients = 0;
  return {
    name: "codegraph",
    routes: Object.values(CODEGRAPH_ROUTES),
    accept(transport, ctx) {
      if (ctx.params.job_id !== undefined) return new JobSession(gw, transport, ctx);
      const path = ctx.url.pathname.replace(/\/$/, "");
      if (path === CODEGRAPH_ROUTES.chat) return new ChatSession(gw, transport, ctx);
      if (path === CODEGRAPH_ROUTES.notifications) return new NotificationSession(gw, transport, ctx);
      return new DashboardSession(gw, heartbeat, `ws-${++dashboardClients}`, transport, ctx);
    },
  };
};
