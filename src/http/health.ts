import type { FastifyInstance } from "fastify";
import type { GatewayContext } from "../core/context.js";

/** `GET /healthz` (process alive), `GET /readyz` (store and broker answer), `GET /metrics`. */
export function healthRoutes(app: FastifyInstance, gw: GatewayContext): void {
  app.get("/healthz", () => ({ status: "ok" }));

  app.get("/readyz", async (_req, reply) => {
    const check = async (p: Promise<void>): Promise<string> => {
      try {
        await p;
        return "ok";
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    };
    const [store, broker] = await Promise.all([check(gw.store.ping()), check(gw.broker.ping())]);
    const ready = store === "ok" && broker === "ok";
    return reply.status(ready ? 200 : 503).send({ status: ready ? "ready" : "unavailable", store, broker });
  });

  app.get("/metrics", async (_req, reply) => {
    const body = await gw.metrics.registry.metrics();
    return reply.type(gw.metrics.registry.contentType).send(body);
  });
}
