import type { TgService } from "../service.js";
import { configService } from "./config.js";
import { flowService } from "./flow.js";

/**
 * Every TrustGraph service livegate serves, global and flow-hosted. A service is one file in this folder
 * and one entry here; the socket and the REST twins dispatch through this table.
 */
export const TG_SERVICES: readonly TgService[] = [
  // global: configuration and flows
  configService,
  flowService,
];
