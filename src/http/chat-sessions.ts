import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { sessionChannel } from "../services/chat-sessions.js";
import type { AppContext } from "../services/context.js";
import { requireApiKey } from "./api-key.js";
import { parseBody } from "./errors.js";

const memberSchema = z.object({ user_id: z.string().min(1).max(255) });

/** Nadoo's chat sessions over REST, for backends (API key): members, and who is in a session now. */
export function chatSessionRoutes(app: FastifyInstance, gw: AppContext): void {
  const preHandler = requireApiKey(gw.apiKey);
  type P = { Params: { id: string } };

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
