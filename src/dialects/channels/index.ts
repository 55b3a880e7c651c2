import type { DialectFactory } from "../dialect.js";
import { ChannelsSession } from "./session.js";

/** livegate's native protocol at `/ws` (docs/protocol-channels.md). */
export const channelsDialect: DialectFactory = (gw) => ({
  name: "channels",
  routes: ["/ws"],
  accept: (transport, ctx) => new ChannelsSession(gw, transport, ctx),
});
