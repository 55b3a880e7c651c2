import { GatewayError } from "../../../core/errors.js";
import type { AppContext } from "../../../services/context.js";
import { ChatHandler, JobHandler, NotificationHandler } from "./handlers.js";
import { WebSocketManager } from "./manager.js";

export { ChatHandler, JobHandler, NotificationHandler } from "./handlers.js";
export { WebSocketManager } from "./manager.js";

interface ServerApi {
  manager: WebSocketManager;
  chat: ChatHandler;
  jobs: JobHandler;
  notifications: NotificationHandler;
}

/** The server-side API of the gateway created last in this process (the seed's singletons). */
let current: ServerApi | undefined;

/** Builds the server-side API for a gateway and makes it the current one (called by the dialect). */
export function installServerApi(app: AppContext): void {
  const manager = new WebSocketManager(app);
  current = { manager, chat: new ChatHandler(app), jobs: new JobHandler(app, manager), notifications: new NotificationHandler(app) };
}

function api(): ServerApi {
  if (!current) throw new GatewayError("LG_ERR_UNAVAILABLE", { what: "the server-side API (call createServer first)" });
  return current;
}

/** The WebSocketManager of the current gateway (seed: `get_ws_manager()`). */
export const getWsManager = (): WebSocketManager => api().manager;
/** Seed: `get_chat_handler()`. */
export const getChatHandler = (): ChatHandler => api().chat;
/** Seed: `get_job_handler()`. */
export const getJobHandler = (): JobHandler => api().jobs;
/** Seed: `get_notification_handler()`. */
export const getNotificationHandler = (): NotificationHandler => api().notifications;
