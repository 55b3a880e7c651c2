import type { DialectFactory } from "../dialect.js";
import { ChatSocket } from "./chat.js";
import { DebugSocket } from "./debug.js";
import { NotificationSocket } from "./notifications.js";
import { WorkspaceSocket } from "./workspaces.js";

/** Nadoo's WebSocket paths (seed 004, "Endpoints"). */
export const NADOO_ROUTES = {
  chat: "/ws/chat/{session_id}",
  notifications: "/ws/notifications/{user_id}",
  workspaces: "/ws/workspaces/{workspace_id}",
  pluginDebug: "/api/v1/ws/plugin/debug/{execution_id}",
} as const;

/** Nadoo AI's WebSocket API (seed 004; docs/protocol-nadoo.md). */
export const nadooDialect: DialectFactory = (gw) => ({
  name: "nadoo",
  routes: Object.values(NADOO_ROUTES),
  accept(transport, ctx) {
    if (ctx.params.user_id !== undefined) return new NotificationSocket(gw, transport, ctx);
    if (ctx.params.workspace_id !== undefined) return new WorkspaceSocket(gw, transport, ctx);
    if (ctx.params.execution_id !== undefined) return new DebugSocket(gw, transport, ctx);
    return new ChatSocket(gw, transport, ctx);
  },
});
