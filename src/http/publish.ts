import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { assertChannelName, assertEventType } from "../core/channel.js";
import type { GatewayContext } from "../core/context.js";
import { publicationJson } from "../core/publication.js";
import { requireApiKey } from "./api-key.js";
import { parseBody } from "./errors.js";

const publicationSchema = z.object({
  channel: z.string(),
  type: z.string().optional(),
  data: z.unknown(),
});
const batchSchema = z.object({ publications: z.array(publicationSchema).min(1).max(1000) });
const historyQuerySchema = z.object({
  since: z.coerce.number().int().min(0).optional(),
  epoch: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(0).max(10_000).optional(),
});

/** REST publishing and history for backends, behind the API key (docs/http-api.md). */
export function publishRoutes(app: FastifyInstance, gw: GatewayContext): void {
  const preHandler = requireApiKey(gw.apiKey);

  const publishOne = async (input: z.infer<typeof publicationSchema>) => {
    assertChannelName(input.channel);
    const type = input.type ?? "message";
    assertEventType(type);
    const pub = await gw.broker.publish(input.channel, { type, data: input.data });
    gw.metrics.publications.inc({ source: "api" });
    return { channel: pub.channel, epoch: pub.epoch, offset: pub.offset };
  };

  app.post("/api/v1/publish", { preHandler }, async (req) => publishOne(parseBody(publicationSchema, req.body)));

  app.post("/api/v1/publish/batch", { preHandler }, async (req) => {
    const { publications } = parseBody(batchSchema, req.body);
    // Validate all first so a bad entry publishes nothing.
    for (const p of publications) {
      assertChannelName(p.channel);
      assertEventType(p.type ?? "message");
    }
    const results = [];
    for (const p of publications) results.push(await publishOne(p));
    return { results };
  });

  app.get<{ Params: { channel: string } }>("/api/v1/channels/:channel/history", { preHandler }, async (req) => {
    const channel = req.params.channel;
    assertChannelName(channel);
    const q = parseBody(historyQuerySchema, req.query);
    let since;
    if (q.since !== undefined) {
      const epoch = q.epoch ?? (await gw.broker.history(channel, { limit: 0 })).position.epoch;
      since = { epoch, offset: q.since };
    }
    const res = await gw.broker.history(channel, { since, limit: q.limit ?? 100 });
    return {
      channel,
      ...res.position,
      publications: res.publications.map(publicationJson),
      ...(res.complete ? {} : { truncated: true }),
    };
  });
}
