import type { IncomingMessage } from "node:http";
import type { Credential } from "../dialects/dialect.js";

/** Subprotocol that announces a bearer token as the next offered protocol: `["bearer", "<JWT>"]`. */
export const BEARER_SUBPROTOCOL = "bearer";

/** Subprotocols offered on an upgrade, in order. */
export function offeredSubprotocols(req: IncomingMessage): string[] {
  const header = req.headers["sec-websocket-protocol"];
  if (!header) return [];
  return header
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
}

/** Finds the token: `?token=`, then `Authorization: Bearer`, then the `bearer` subprotocol pair. */
export function credentialFrom(req: IncomingMessage, url: URL): Credential | undefined {
  const query = url.searchParams.get("token");
  if (query) return { token: query, via: "query" };
  const auth = req.headers.authorization;
  const m = auth ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
  if (m) return { token: m[1]!, via: "header" };
  const protocols = offeredSubprotocols(req);
  const i = protocols.indexOf(BEARER_SUBPROTOCOL);
  const token = i >= 0 ? protocols[i + 1] : undefined;
  if (token) return { token, via: "subprotocol" };
  return undefined;
}
