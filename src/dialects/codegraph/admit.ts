import type { Connection } from "../../core/connection.js";
import { GatewayError, toGatewayError } from "../../core/errors.js";
import type { Principal } from "../../core/types.js";
import type { AppContext } from "../../services/context.js";

/**
 * Every CodeGraph socket's first step (seed 000, "Authentication"): the `?token=` JWT is verified and
 * attached to the connection. A missing or bad token is reported with `report`, then the connection is
 * closed (4001 via the endpoint's goodbye). Resolves the principal, or undefined when refused or closed.
 */
export async function admitQueryToken(
  gw: AppContext,
  conn: Connection,
  token: string | null,
  report: (err: GatewayError) => void,
): Promise<Principal | undefined> {
  try {
    if (!token) throw new GatewayError("LG_ERR_AUTH_TOKEN_MISSING");
    const principal = await gw.auth.authenticate(token);
    if (conn.closed) return undefined;
    gw.hub.authenticate(conn, principal);
    return principal;
  } catch (err) {
    const e = toGatewayError(err);
    report(e);
    conn.disconnect(e.disconnect ?? "tokenInvalid");
    return undefined;
  }
}
