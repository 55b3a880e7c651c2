import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { GatewayError } from "../core/errors.js";
import type { AppContext } from "../services/context.js";
import { requireApiKey } from "./api-key.js";
import { parseBody } from "./errors.js";

const documentSchema = z.object({
  id: z.string().regex(/^[\w.:@-]{1,128}$/).optional(),
  title: z.string().min(1).max(1000),
  content: z.string().min(1).max(5_000_000),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

/** Documents the embedded chat engine answers from (API key): add, list, read, delete. */
export function documentRoutes(app: FastifyInstance, gw: AppContext): void {
  const preHandler = requireApiKey(gw.apiKey);
  type P = { Params: { id: string } };

  app.post("/api/v1/documents", { preHandler, bodyLimit: 6 * 1024 * 1024 }, async (req, reply) => {
    return reply.status(201).send(await gw.documents.add(parseBody(documentSchema, req.body)));
  });

  app.get("/api/v1/documents", { preHandler }, () => ({
    documents: gw.documents.list().map(({ content, ...rest }) => ({ ...rest, length: content.length })),
  }));

  app.get<P>("/api/v1/documents/:id", { preHandler }, (req) => {
    const doc = gw.documents.get(req.params.id);
    if (!doc) throw new GatewayError("LG_ERR_DOCUMENT_NOT_FOUND", { id: req.params.id });
    return doc;
  });

  app.delete<P>("/api/v1/documents/:id", { preHandler }, async (req, reply) => {
    await gw.documents.remove(req.params.id);
    return reply.status(204).send();
  });
}
