import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { z } from "zod";
import { GatewayError, toGatewayError } from "../core/errors.js";

/** REST error body: `{"error":{"code":"LG_ERR_…","message":"…","retry_after"?}}`. */
export function errorBody(err: GatewayError): { error: Record<string, unknown> } {
  const error: Record<string, unknown> = { code: err.code, message: err.message };
  if (err.retryAfterSec !== undefined) error.retry_after = err.retryAfterSec;
  return { error };
}

/** Parses `input` with `schema`; a mismatch becomes LG_ERR_REQUEST_INVALID naming the bad fields. */
export function parseBody<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const detail = r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
  throw new GatewayError("LG_ERR_REQUEST_INVALID", { detail });
}

/** Fastify error handler: every error leaves as the JSON body above, with the error's status. */
export function errorHandler(log: Logger) {
  return (err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void => {
    if (err instanceof GatewayError) {
      void reply.status(err.status).send(errorBody(err));
    } else if (typeof err.statusCode === "number" && err.statusCode < 500) {
      // Fastify's own client errors (bad JSON body, too large, wrong content type) keep their status.
      void reply.status(err.statusCode).send(errorBody(new GatewayError("LG_ERR_REQUEST_INVALID", { detail: err.message })));
    } else {
      log.error({ err }, "request failed");
      void reply.status(500).send(errorBody(toGatewayError(err)));
    }
  };
}
