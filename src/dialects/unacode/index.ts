import { ConversationService } from "../../services/conversations.js";
import type { DialectFactory } from "../dialect.js";
import { DIALECT_NAME, UnaCodeSession } from "./session.js";

/** UnaCODE's path on the main port; with `unacode.port` set, every path of that port is UnaCODE too. */
export const UNACODE_ROUTES = ["/"] as const;

/** UnaCODE's WebSocket API (seed 001; docs/protocol-unacode.md). */
export const unacodeDialect: DialectFactory = (gw) => {
  const conversations = new ConversationService(gw.store.conversations);
  return {
    name: DIALECT_NAME,
    routes: UNACODE_ROUTES,
    dedicatedPort: gw.options.unacode.port,
    accept: (transport, ctx) => new UnaCodeSession(gw, conversations, transport, ctx),
  };
};
