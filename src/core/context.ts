import type { Logger } from "pino";
import type { Broker } from "../engines/broker/broker.js";
import type { Store } from "../engines/store/store.js";
import type { Authenticator } from "./auth.js";
import type { Hub } from "./hub.js";
import type { Metrics } from "./metrics.js";
import type { GatewayOptions } from "./options.js";
import type { ChannelPolicy } from "./policy.js";

/** Everything a dialect or HTTP route may use: the core's parts and the engines behind interfaces. */
export interface GatewayContext {
  readonly options: GatewayOptions;
  readonly hub: Hub;
  readonly broker: Broker;
  readonly store: Store;
  readonly auth: Authenticator;
  readonly policy: ChannelPolicy;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** The key backends present for REST publishing. */
  readonly apiKey: string;
}
