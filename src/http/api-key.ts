import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { GatewayError } from "../core/errors.js";

const digest = (s: string): Buffer => createHash("sha256").update(s).digest();

/** Returns a preHandler that requires `Authorization: Bearer <apiKey>` (constant-time compare). */
export function requireApiKey(apiKey: string): (req: FastifyRequest) => Promise<void> {
  const expected = digest(apiKey);
  return (req) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
    if (!m || !timingSafeEqual(digest(m[1]!), expected)) return Promise.reject(new GatewayError("LG_ERR_API_KEY"));
    return Promise.resolve();
  };
}
