import { userChannel } from "../../core/channel.js";
import type { PublicationCodec } from "../../core/connection.js";
import { GatewayError } from "../../core/errors.js";
import type { Publication, UserId } from "../../core/types.js";
import { NOTIFICATION_EVENT, type NotificationView } from "../../services/notifications.js";
import { isSystemEventType, SYSTEM_EVENT_TYPES, systemEventId } from "../../services/system-events.js";
import { frame } from "./envelope.js";

/**
 * The server-sent message types a socket may narrow itself to with `subscribe`: the seed's four system
 * events and `user_notification` (notifications sent through livegate's notification service). Replies
 * (heartbeat, chat, errors) always arrive.
 */
export const SUBSCRIBABLE_TYPES = [...SYSTEM_EVENT_TYPES, "user_notification"] as const;
export type SubscribableType = (typeof SUBSCRIBABLE_TYPES)[number];

const BITS = new Map<string, number>(SUBSCRIBABLE_TYPES.map((t, i) => [t, 1 << i]));
/** The set of subscribable types as a bit mask; every type. */
export const ALL_TYPES = (1 << SUBSCRIBABLE_TYPES.length) - 1;
const NOTIFICATION_BIT = BITS.get("user_notification")!;

/** The types of a mask, in SUBSCRIBABLE_TYPES order. */
export const typesOf = (mask: number): SubscribableType[] => SUBSCRIBABLE_TYPES.filter((t) => (mask & BITS.get(t)!) !== 0);

/**
 * The mask of a subscribe or unsubscribe message's `message_types`.
 * @throws GatewayError LG_ERR_FRAME_INVALID: not a non-empty array of subscribable types
 */
export function maskOf(types: unknown): number {
  if (!Array.isArray(types) || types.length === 0 || types.length > 64 || !types.every((t) => typeof t === "string")) {
    throw new GatewayError("LG_ERR_FRAME_INVALID", { detail: "message_types: expected a non-empty array of message type names" });
  }
  const unknown = types.filter((t) => !BITS.has(t));
  if (unknown.length > 0) {
    const names = unknown.slice(0, 5).map((t) => JSON.stringify(t.slice(0, 64)));
    throw new GatewayError("LG_ERR_FRAME_INVALID", { detail: `message_types: ${names.join(", ")} cannot be subscribed to; one of ${SUBSCRIBABLE_TYPES.join(", ")}` });
  }
  return types.reduce((m: number, t: string) => m | BITS.get(t)!, 0);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const USER_PREFIX = userChannel("");

/** The user a publication is addressed to: the id of a `user:{id}` channel, else null (a broadcast). */
const recipientOf = (channel: string): UserId | null => (channel.startsWith(USER_PREFIX) ? channel.slice(USER_PREFIX.length) : null);

/** The message for a publication, if it is one UnaCODE shows and `mask` lets through. */
function encode(pub: Publication, mask: number): string | undefined {
  const at = new Date(pub.time);
  if (isSystemEventType(pub.type)) {
    if ((mask & BITS.get(pub.type)!) === 0) return undefined;
    // The payload as published (the seed's shape); anything but an object is wrapped, never dropped.
    const payload = isObject(pub.data) ? pub.data : { data: pub.data };
    return frame(pub.type, systemEventId(pub), payload, recipientOf(pub.channel), at);
  }
  if (pub.type === NOTIFICATION_EVENT && (mask & NOTIFICATION_BIT) !== 0 && isObject(pub.data)) {
    const id = typeof pub.data.id === "string" ? pub.data.id : systemEventId(pub);
    return frame("user_notification", id, { notification: pub.data }, recipientOf(pub.channel), at);
  }
  return undefined;
}

/**
 * The `user_notification` message of a notification sent while the user was offline (replayed when a
 * socket authenticates): the same message as the live one, with the notification's id and its creation
 * time as the timestamp; undefined if `mask` filters notifications out.
 */
export function offlineNotificationFrame(n: NotificationView, user: UserId, mask: number): string | undefined {
  if ((mask & NOTIFICATION_BIT) === 0) return undefined;
  return frame("user_notification", n.id, { notification: n }, user, new Date(n.created_at));
}

const codecs: PublicationCodec[] = [];

/**
 * The codec of the sockets whose subscription mask is `mask`. Sockets with the same mask share one, so a
 * publication is encoded once per distinct mask (at most 32), not once per socket.
 */
export function codecFor(mask: number): PublicationCodec {
  return (codecs[mask] ??= { key: `unacode:${mask}`, encode: (pub) => encode(pub, mask) });
}
