import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { SYSTEM_EVENT_PAYLOADS, SYSTEM_EVENT_TYPES, SystemEventService } from "../services/system-events.js";
import type { AppContext } from "../services/context.js";
import { requireApiKey } from "./api-key.js";
import { parseBody } from "./errors.js";

const eventSchema = z
  .object({
    type: z.enum(SYSTEM_EVENT_TYPES),
    payload: z.record(z.string(), z.unknown()),
    /** Recipient; or `broadcast: true` for everyone connected. */
    user_id: z.string().min(1).max(255).optional(),
    broadcast: z.boolean().optional(),
  })
  .refine((e) => Boolean(e.user_id) !== Boolean(e.broadcast), { message: "give either user_id or broadcast: true" });

/** `POST /api/v1/system/events`: backends publish UnaCODE's system events (API key; docs/http-api.md). */
export function systemEventRoutes(app: FastifyInstance, gw: AppContext): void {
  const events = new SystemEventService(gw.broker);
  app.post("/api/v1/system/events", { preHandler: requireApiKey(gw.apiKey) }, async (req, reply) => {
    const e = parseBody(eventSchema, req.body);
    // The payload's own fields are checked against its type's schema; errors name them as payload.<field>.
    const { payload } = parseBody(z.object({ payload: SYSTEM_EVENT_PAYLOADS[e.type] }), { payload: e.payload });
    const view = await events.publish(e.type, payload, e.user_id);
    gw.metrics.publications.inc({ source: "api" });
    return reply.status(201).send(view);
  });
}
