import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { sessionChannel } from "../services/chat-sessions.js";
import type { AppContext } from "../services/context.js";
import { requireApiKey } from "./api-key.js";
import { parseBody } from "./errors.js";
import { requireUser } from "./user-auth.js";

const memberSchema = z.object({ user_id: z.string().min(1).max(255) });
/** `since`: an ISO 8601 time or milliseconds since the epoch. */
const sinceSchema = z.union([
  z.coerce.number().int().min(0),
  z.iso.datetime({ offset: true }).transform((t) => Date.parse(t)),
]);
const historySchema = z.object({
  chat_id: z.string().min(1).max(128).optional(),
  since: sinceSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  token: z.string().optional(),
});

/**
 * Nadoo's chat over REST: a user's message history (their JWT), for state restore after a reconnect
 * (seed 004, "Reconnection Strategy"); and, for backends (API key), session members and who is online.
 */
export function chatSessionRoutes(app: FastifyInstance, gw: AppContext): void {
  const preHandler = requireApiKey(gw.apiKey);
  type P = { Params: { id: string } };

  app.get<{ Params: { app_id: string } }>("/api/v1/chat/:app_id/messages", async (req) => {
    const principal = await requireUser(gw.auth, req);
    const q = parseBody(historySchema, req.query);
    const applicationId = req.params.app_id;
    // One more than asked tells whether another page follows.
    const rows = await gw.sessions.messages(principal, { applicationId, chatId: q.chat_id, since: q.since, limit: q.limit + 1, offset: q.offset });
    const more = rows.length > q.limit;
    return {
      application_id: applicationId,
      ...(q.chat_id ? { chat_id: q.chat_id } : {}),
      messages: more ? rows.slice(0, q.limit) : rows,
      limit: q.limit,
      offset: q.offset,
      next_offset: more ? q.offset + q.limit : null,
    };
  });

  app.post<P>("/api/v1/chat/sessions/:id/members", { preHandler }, async (req, reply) => {
    const { user_id: user } = parseBody(memberSchema, req.body);
    const added = await gw.sessions.addMember(req.params.id, user);
    return reply.status(added ? 201 : 200).send({ session_id: req.params.id, user_id: user, added });
  });

  app.get<P>("/api/v1/chat/sessions/:id", { preHandler }, async (req) => {
    const id = req.params.id;
    const [{ owner, members }, present] = await Promise.all([gw.sessions.participants(id), gw.broker.presence.list(sessionChannel(id))]);
    const online: Record<string, number> = {};
    for (const c of present.values()) online[c.user_id] = (online[c.user_id] ?? 0) + 1;
    return { session_id: id, owner, members, online };
  });
}
