import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { AppContext } from "../services/context.js";
import { requireApiKey } from "./api-key.js";
import { parseBody } from "./errors.js";
import { requireUser } from "./user-auth.js";

const userId = z.string().min(1).max(255);
const createSchema = z.object({
  workspace_id: z.string().regex(/^[\w.:@-]{1,128}$/).optional(),
  name: z.string().min(1).max(1000),
  members: z.array(userId).max(10_000).default([]),
});
const memberSchema = z.object({ user_id: userId });
/** A broadcast event as a member's socket sends it: a flat object with its `type`. */
const eventSchema = z.looseObject({ type: z.string().min(1).max(64) });

/**
 * Workspaces over REST (docs/protocol-nadoo.md, "Workspaces"): backends (API key) create them, add
 * members and publish the same events members broadcast; presence is readable with the API key or by a
 * member with their JWT.
 */
export function workspaceRoutes(app: FastifyInstance, gw: AppContext): void {
  const apiKey = requireApiKey(gw.apiKey);
  const preHandler = apiKey;
  type P = { Params: { id: string } };

  app.post("/api/v1/workspaces", { preHandler }, async (req, reply) => {
    const body = parseBody(createSchema, req.body);
    return reply.status(201).send(await gw.workspaces.create({ id: body.workspace_id, name: body.name, members: body.members }));
  });

  app.get<P>("/api/v1/workspaces/:id", { preHandler }, async (req) => gw.workspaces.get(req.params.id));

  app.post<P>("/api/v1/workspaces/:id/members", { preHandler }, async (req, reply) => {
    const { user_id: user } = parseBody(memberSchema, req.body);
    const added = await gw.workspaces.addMember(req.params.id, user);
    return reply.status(added ? 201 : 200).send({ workspace_id: req.params.id, user_id: user, added });
  });

  app.post<P>("/api/v1/workspaces/:id/events", { preHandler }, async (req) => {
    const event = parseBody(eventSchema, req.body);
    await gw.workspaces.get(req.params.id);
    const { type, ...fields } = event;
    const position = await gw.workspaces.publish(req.params.id, type, fields, null);
    return { workspace_id: req.params.id, type, ...position };
  });

  // The API key, or a member's JWT.
  const memberOrKey = async (req: FastifyRequest<P>): Promise<void> => {
    try {
      await apiKey(req);
    } catch {
      const principal = await requireUser(gw.auth, req);
      await gw.workspaces.assertMember(req.params.id, principal.userId);
    }
  };
  app.get<P>("/api/v1/workspaces/:id/presence", { preHandler: memberOrKey }, async (req) => gw.workspaces.presence(req.params.id));
}
