import { REPLY_TYPES } from "../protocol/codes.js";
import { GatewayError } from "./errors.js";
import type { ChannelName } from "./types.js";

const CHANNEL_RE = /^[A-Za-z0-9_\-:.@=+]{1,255}$/;
const EVENT_TYPE_RE = /^[A-Za-z0-9_\-.:]{1,64}$/;
const RESERVED_TYPES: ReadonlySet<string> = new Set(REPLY_TYPES);

/** The channel every connection of `user` is subscribed to. */
export const userChannel = (user: string): ChannelName => `user:${user}`;
/** The channel every connection is subscribed to. */
export const BROADCAST_CHANNEL: ChannelName = "broadcast";

/** @throws GatewayError LG_ERR_CHANNEL_NAME_INVALID */
export function assertChannelName(channel: unknown): asserts channel is ChannelName {
  if (typeof channel !== "string" || !CHANNEL_RE.test(channel)) {
    throw new GatewayError("LG_ERR_CHANNEL_NAME_INVALID", { channel: String(channel).slice(0, 64) });
  }
}

/** @throws GatewayError LG_ERR_EVENT_TYPE_INVALID */
export function assertEventType(type: unknown): asserts type is string {
  if (typeof type !== "string" || !EVENT_TYPE_RE.test(type) || RESERVED_TYPES.has(type)) {
    throw new GatewayError("LG_ERR_EVENT_TYPE_INVALID", { type: String(type).slice(0, 64) });
  }
}
