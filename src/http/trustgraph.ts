import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { restPrincipal } from "../dialects/trustgraph/auth.js";
import { clientError, findService, flowFor, replies, serviceKinds } from "../dialects/trustgraph/dispatch.js";
import { canonicalKeys, spelled, type Spelling } from "../dialects/trustgraph/keys.js";
import { tgMetrics } from "../dialects/trustgraph/metrics.js";
import type { TgBody, TgService } from "../dialects/trustgraph/service.js";
import type { AppContext } from "../services/context.js";

/** HTTP status of each TrustGraph error type (anything unlisted is a server fault, 500). */
const STATUS: Record<string, number> = {
  "invalid-request": 400,
  "auth-required": 401,
  "access-denied": 403,
  "not-found": 404,
  "flow-not-found": 404,
  "unknown-service": 404,
  "not-configured": 501,
  cancelled: 499,
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function fail(reply: FastifyReply, type: string, message: string): FastifyReply {
  return reply.status(STATUS[type] ?? 500).send({ error: { type, message } });
}

/**
 * The REST twins of the TrustGraph socket (docs/protocol-trustgraph.md, "REST twins"): the body is the
 * socket's `request`, the answer its single response body (non-streaming), errors
 * `{"error":{"type","message"}}` with a 4xx/5xx status. Same token rules as the socket.
 */
export function trustgraphRoutes(app: FastifyInstance, gw: AppContext): void {
  const metrics = tgMetrics(gw.metrics.registry);
  const run = async (req: FastifyRequest, reply: FastifyReply, service: TgService | undefined, kind: string, flowId?: string) => {
    const principal = await restPrincipal(gw, req.headers.authorization);
    if (!principal) return fail(reply, "auth-required", "auth failure");
    if (!service) return fail(reply, "unknown-service", `unknown service "${kind}"`);
    if (!isObject(req.body)) return fail(reply, "invalid-request", "the body must be a JSON object (the service's request)");
    const asked = (req.query as Record<string, unknown>).spelling;
    const spelling: Spelling = asked === "underscore" || asked === "hyphen" ? asked : gw.options.trustgraph.spelling;
    // A client that goes away aborts the call, as closing the socket does.
    const controller = new AbortController();
    const onClose = (): void => controller.abort();
    reply.raw.once("close", onClose);
    const started = performance.now();
    let status = "ok";
    try {
      const flow = await flowFor(gw, service, flowId);
      const request = canonicalKeys(req.body);
      const call = { app: gw, request, principal, flow, streaming: false, signal: controller.signal };
      let answer: TgBody = {};
      // A non-streaming call answers one body; should a handler send more, the last non-empty one answers.
      for await (const r of replies(service, call)) if (Object.keys(r.body).length > 0 || Object.keys(answer).length === 0) answer = r.body;
      return reply.status(200).send(spelled(answer, spelling));
    } catch (err) {
      const e = clientError(err, gw.log, service.kind);
      status = e.type;
      return fail(reply, e.type, e.message);
    } finally {
      reply.raw.off("close", onClose);
      metrics.observe(service.kind, status, (performance.now() - started) / 1000);
    }
  };

  // Explicit routes per global kind, so no catch-all shadows /api/v1/jobs, /api/v1/documents, ….
  // Bodies may carry base64 documents: the socket's frame limit applies, not Fastify's 1 MiB default.
  const bodyLimit = gw.options.trustgraph.maxFrameBytes;
  for (const kind of serviceKinds("global")) {
    app.post(`/api/v1/${kind}`, { bodyLimit }, (req, reply) => run(req, reply, findService(kind), kind));
  }
  app.post<{ Params: { flow: string; kind: string } }>("/api/v1/flow/:flow/service/:kind", { bodyLimit }, (req, reply) => {
    const service = findService(req.params.kind);
    return run(req, reply, service?.scope === "flow" ? service : undefined, req.params.kind, req.params.flow);
  });
}
