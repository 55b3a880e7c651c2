import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { GatewayError } from "../core/errors.js";
import type { AppContext } from "../services/context.js";
import { requireApiKey } from "./api-key.js";
import { parseBody } from "./errors.js";

const createSchema = z.object({
  type: z.string().min(1).max(128),
  owner: z.string().min(1).max(255),
  metadata: z.record(z.string(), z.unknown()).optional(),
  job_id: z.string().regex(/^[\w.:@-]{1,128}$/).optional(),
});
const progressSchema = z.object({ progress: z.number().min(0).max(100), message: z.string().max(10_000).optional() });
const completeSchema = z.object({ result: z.unknown().optional() });
const failSchema = z.object({ error: z.string().min(1).max(10_000) });

/** Jobs over REST, for backends (API key): create, read, progress, complete, fail (docs/http-api.md). */
export function jobRoutes(app: FastifyInstance, gw: AppContext): void {
  const preHandler = requireApiKey(gw.apiKey);
  type P = { Params: { id: string } };

  app.post("/api/v1/jobs", { preHandler }, async (req, reply) => {
    const body = parseBody(createSchema, req.body);
    const job = await gw.jobs.create({ type: body.type, owner: body.owner, metadata: body.metadata, id: body.job_id });
    return reply.status(201).send(job);
  });

  app.get<P>("/api/v1/jobs/:id", { preHandler }, async (req) => {
    const job = await gw.jobs.get(req.params.id);
    if (!job) throw new GatewayError("LG_ERR_JOB_NOT_FOUND", { job_id: req.params.id });
    return job;
  });

  app.post<P>("/api/v1/jobs/:id/progress", { preHandler }, async (req) => {
    const body = parseBody(progressSchema, req.body);
    return gw.jobs.progress(req.params.id, body.progress, body.message);
  });

  app.post<P>("/api/v1/jobs/:id/complete", { preHandler }, async (req) => {
    return gw.jobs.complete(req.params.id, parseBody(completeSchema, req.body ?? {}).result ?? null);
  });

  app.post<P>("/api/v1/jobs/:id/fail", { preHandler }, async (req) => {
    return gw.jobs.fail(req.params.id, parseBody(failSchema, req.body).error);
  });
}
