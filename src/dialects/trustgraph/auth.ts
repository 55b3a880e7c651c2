import { createHash, timingSafeEqual } from "node:crypto";
import type { Principal } from "../../core/types.js";
import type { AppContext } from "../../services/context.js";

/** The user of calls made without a token when no gateway secret is set (the real server's default user). */
export const ANONYMOUS_USER = "trustgraph";

/** The workspace named in `auth-ok` (livegate has one TrustGraph workspace). */
export const WORKSPACE = "default";

/** The principal of an open (secret-less) socket or of the gateway secret itself. */
export const anonymousPrincipal = (): Principal => ({ userId: ANONYMOUS_USER, claims: {} });

/** Compares without leaking where the strings differ (hashes first, so lengths do not leak either). */
function sameSecret(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Who a token is: the gateway secret (user `trustgraph`) or any valid livegate JWT (its subject).
 * Resolves undefined for anything else; never throws.
 */
export async function principalFor(app: AppContext, token: string): Promise<Principal | undefined> {
  if (token === "") return undefined;
  const secret = app.options.trustgraph.gatewaySecret;
  if (secret !== undefined && sameSecret(token, secret)) return anonymousPrincipal();
  try {
    return await app.auth.authenticate(token);
  } catch {
    return undefined;
  }
}

/** Whether calls need a token (a gateway secret is set). */
export const authRequired = (app: AppContext): boolean => app.options.trustgraph.gatewaySecret !== undefined;

/**
 * The token of a REST twin's request (`Authorization: Bearer`), checked like the socket's. Resolves the
 * caller, or undefined when a secret is set and the token is missing or wrong.
 */
export async function restPrincipal(app: AppContext, authorization: string | undefined): Promise<Principal | undefined> {
  const m = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  const token = m?.[1];
  const principal = token ? await principalFor(app, token) : undefined;
  if (principal) return principal;
  return authRequired(app) ? undefined : anonymousPrincipal();
}
