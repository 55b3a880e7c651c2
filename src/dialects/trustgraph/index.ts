import type { DialectFactory } from "../dialect.js";
import { DIALECT_NAME, TrustGraphSession } from "./session.js";

/** The TrustGraph socket's path on the main port; with `trustgraph.port` set, every path of that port too. */
export const TRUSTGRAPH_ROUTES = ["/api/v1/socket"] as const;

/** TrustGraph's multiplexed service socket (seed 003; docs/protocol-trustgraph.md). */
export const trustgraphDialect: DialectFactory = (app) => ({
  name: DIALECT_NAME,
  routes: TRUSTGRAPH_ROUTES,
  dedicatedPort: app.options.trustgraph.port,
  // Frames carry base64 documents (librarian add-document), far above the other dialects' limit.
  maxFrameBytes: app.options.trustgraph.maxFrameBytes,
  accept: (transport, ctx) => new TrustGraphSession(app, transport, ctx),
});
