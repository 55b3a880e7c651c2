import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { AppContext } from "../services/context.js";
import { requireApiKey } from "./api-key.js";
import { parseBody } from "./errors.js";
import { requireUser } from "./user-auth.js";

const notificationSchema = z
  .object({
    /** Recipient; omit (or set broadcast) to send to everyone connected. */
    user_id: z.string().min(1).max(255).optional(),
    broadcast: z.boolean().optional(),
    title: z.string().min(1).max(1000),
    message: z.string().max(10_000).default(""),
    type: z.enum(["info", "success", "warning", "error"]).default("info"),
    data: z.unknown().optional(),
    action_url: z.string().max(2000).optional(),
  })
  .refine((n) => Boolean(n.user_id) !== Boolean(n.broadcast), { message: "give either user_id or broadcast: true" });
const listSchema = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

/** Notifications over REST: backends send (API key); users read their inbox (their JWT). */
export function notificationRoutes(app: FastifyInstance, gw: AppContext): void {
  app.post("/api/v1/notifications", { preHandler: requireApiKey(gw.apiKey) }, async (req, reply) => {
    const n = parseBody(notificationSchema, req.body);
    const input = { title: n.title, message: n.message, type: n.type, data: n.data, action_url: n.action_url ?? null };
    const view = n.user_id ? await gw.notifications.send(n.user_id, input) : await gw.notifications.broadcast(input);
    return reply.status(201).send(view);
  });

  app.get("/api/v1/notifications", async (req) => {
    const user = await requireUser(gw.auth, req);
    const { limit } = parseBody(listSchema, req.query);
    return { notifications: await gw.notifications.list(user.userId, limit) };
  });
}
