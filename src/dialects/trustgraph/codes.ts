import { livegateClose, type DisconnectReason } from "../../core/disconnect.js";
import type { GatewayError } from "../../core/errors.js";

/**
 * Close codes of the TrustGraph socket (docs/protocol-trustgraph.md, "Close codes"). Neither the seed
 * nor the real server names any, so livegate's own table applies, except that a refused handshake token
 * closes with the standard policy-violation code 1008 "auth failure" (the real server's error text).
 */
export function closeFor(reason: DisconnectReason): { code: number; reason: string } {
  if (reason === "tokenInvalid") return { code: 1008, reason: "auth failure" };
  return livegateClose(reason);
}

/** Error types of core errors reported on the socket (rate limit, auth timeout, internal faults). */
export function errorTypeFor(err: GatewayError): string {
  switch (err.kind) {
    case "rateLimited":
      return "rate-limited";
    case "unauthorized":
      return "auth-required";
    case "forbidden":
      return "access-denied";
    case "invalid":
      return "gateway-error";
    case "notFound":
      return "not-found";
    default:
      return "gateway-error";
  }
}
