import type { DialectFactory } from "../dialect.js";
import { PromptRegistry } from "./prompts.js";
import { AcpSession } from "./session.js";

/** The Agent Client Protocol over JSON-RPC 2.0 at `/api/v1/acp/ws` (docs/protocol-acp.md). */
export const acpDialect: DialectFactory = (gw) => {
  const prompts = new PromptRegistry();
  return {
    name: "acp",
    routes: ["/api/v1/acp/ws"],
    accept: (transport, ctx) => new AcpSession(gw, prompts, transport, ctx),
  };
};
