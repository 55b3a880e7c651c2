import type { FastifyRequest } from "fastify";
import type { Authenticator } from "../core/auth.js";
import { GatewayError } from "../core/errors.js";
import type { Principal } from "../core/types.js";

/** Verifies the user's JWT from `Authorization: Bearer` (or `?token=`) on a REST request. */
export async function requireUser(auth: Authenticator, req: FastifyRequest): Promise<Principal> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  const token = m?.[1] ?? (req.query as Record<string, unknown> | undefined)?.token;
  if (typeof token !== "string" || token.length === 0) throw new GatewayError("LG_ERR_AUTH_TOKEN_MISSING");
  return auth.authenticate(token);
}
