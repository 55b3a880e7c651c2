import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { AppContext } from "../services/context.js";
import { requireApiKey } from "./api-key.js";
import { parseBody } from "./errors.js";

const createSchema = z.object({ plugin_id: z.string().min(1).max(255), tool_name: z.string().min(1).max(255) });
const eventSchema = z.object({ type: z.string().min(1).max(32), data: z.unknown().optional() });
const listSchema = z.object({ limit: z.coerce.number().int().min(1).max(10_000).default(1000) });

/**
 * Plugin executions over REST, for the plugin runtime (API key): create one, append its debug events
 * (stored and streamed live to `/api/v1/ws/plugin/debug/{execution_id}`), read them back.
 */
export function pluginExecutionRoutes(app: FastifyInstance, gw: AppContext): void {
  const preHandler = requireApiKey(gw.apiKey);
  type P = { Params: { id: string } };

  app.post("/api/v1/plugin/executions", { preHandler }, async (req, reply) => {
    const body = parseBody(createSchema, req.body);
    return reply.status(201).send(await gw.pluginExecutions.create({ pluginId: body.plugin_id, toolName: body.tool_name }));
  });

  app.get<P>("/api/v1/plugin/executions/:id", { preHandler }, async (req) => gw.pluginExecutions.require(req.params.id));

  app.post<P>("/api/v1/plugin/executions/:id/events", { preHandler }, async (req, reply) => {
    const body = parseBody(eventSchema, req.body);
    return reply.status(201).send(await gw.pluginExecutions.append(req.params.id, body.type, body.data));
  });

  app.get<P>("/api/v1/plugin/executions/:id/events", { preHandler }, async (req) => {
    const { limit } = parseBody(listSchema, req.query);
    await gw.pluginExecutions.require(req.params.id);
    return { execution_id: req.params.id, events: await gw.pluginExecutions.history(req.params.id, limit) };
  });
}
