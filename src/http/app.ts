import type { RequestListener } from "node:http";
import { createServer } from "node:http";
import Fastify, { type FastifyInstance } from "fastify";
import type { AppContext } from "../services/context.js";
import { chatSessionRoutes } from "./chat-sessions.js";
import { workspaceRoutes } from "./workspaces.js";
import { pluginExecutionRoutes } from "./plugin-executions.js";
import { statsRoutes } from "./stats.js";
import { sseRoutes } from "./sse.js";
import { errorHandler } from "./errors.js";
import { healthRoutes } from "./health.js";
import { documentRoutes } from "./documents.js";
import { jobRoutes } from "./jobs.js";
import { notificationRoutes } from "./notifications.js";
import { publishRoutes } from "./publish.js";
import { systemEventRoutes } from "./system-events.js";
import { trustgraphRoutes } from "./trustgraph.js";

/** The REST app and the request handler that every listening server shares. */
export interface HttpApp {
  app: FastifyInstance;
  handler: RequestListener;
}

/** Builds the Fastify app with every REST route. Listening is the transport's job. */
export async function createHttpApp(gw: AppContext): Promise<HttpApp> {
  let handler: RequestListener | undefined;
  const app = Fastify({
    // Requests are not logged; errors are, through gw.log in the error handler.
    logger: false,
    // Capture Fastify's handler so the transport can serve it on several addresses (127.0.0.1 and ::1).
    serverFactory: (h) => {
      handler = h;
      return createServer(h);
    },
  });
  app.setErrorHandler(errorHandler(gw.log));
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ error: { code: "LG_ERR_ROUTE_NOT_FOUND", message: `no such endpoint: ${req.method} ${req.url.split("?")[0]}` } });
  });
  healthRoutes(app, gw);
  chatSessionRoutes(app, gw);
  workspaceRoutes(app, gw);
  pluginExecutionRoutes(app, gw);
  statsRoutes(app, gw);
  sseRoutes(app, gw);
  publishRoutes(app, gw);
  jobRoutes(app, gw);
  notificationRoutes(app, gw);
  documentRoutes(app, gw);
  systemEventRoutes(app, gw);
  trustgraphRoutes(app, gw);
  await app.ready();
  if (!handler) throw new Error("fastify did not call serverFactory");
  return { app, handler };
}
