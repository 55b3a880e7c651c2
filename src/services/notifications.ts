import { randomBytes } from "node:crypto";
import type { Broker } from "../engines/broker/broker.js";
import type { NotificationCategory, NotificationRecord, NotificationStore } from "../engines/store/store.js";
import { BROADCAST_CHANNEL, userChannel } from "../core/channel.js";
import type { UserId } from "../core/types.js";

/** A notification as every dialect sees it; the data of every `notification` publication. */
export interface NotificationView {
  id: string;
  title: string;
  message: string;
  /** Category: info, success, warning, error (CodeGraph sends it under `type`). */
  type: NotificationCategory;
  data: unknown;
  action_url: string | null;
  created_at: string;
}

/** What a sender gives. */
export interface NotificationInput {
  title: string;
  message: string;
  type?: NotificationCategory;
  data?: unknown;
  action_url?: string | null;
}

let lastMs = 0;
let seq = 0;

/**
 * A UUIDv7 (RFC 9562): the millisecond time first, then a 12-bit counter within the millisecond, then
 * random bits. Ids of one process sort in creation order, which the store uses to order notifications
 * created in the same millisecond (offline delivery oldest first, the inbox newest first).
 */
export function uuidv7(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    seq = 0;
  } else if (++seq > 0xfff) {
    // 4,096 ids in one millisecond: borrow the next millisecond rather than lose the order.
    lastMs += 1;
    seq = 0;
  }
  const b = randomBytes(16);
  b.writeUIntBE(lastMs, 0, 6);
  b[6] = 0x70 | (seq >> 8);
  b[7] = seq & 0xff;
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Event type of notification publications. */
export const NOTIFICATION_EVENT = "notification";

export const notificationView = (n: NotificationRecord): NotificationView => ({
  id: n.id,
  title: n.title,
  message: n.message,
  type: n.category,
  data: n.data,
  action_url: n.actionUrl,
  created_at: new Date(n.createdAt).toISOString(),
});

/**
 * Notifications: stored, published once on `user:{id}` (or `broadcast`) as a `notification` event that
 * every dialect renders in its own shape. A user with no socket open keeps them as undelivered until
 * a notification socket takes them on the next connect.
 */
export class NotificationService {
  constructor(
    private readonly store: NotificationStore,
    private readonly broker: Broker,
  ) {}

  /** Sends to one user. Marked delivered at once if any socket of the user is on its user channel. */
  async send(user: UserId, input: NotificationInput): Promise<NotificationView> {
    const record = await this.store.create(this.record(user, input));
    const view = notificationView(record);
    const channel = userChannel(user);
    await this.broker.publish(channel, { type: NOTIFICATION_EVENT, data: view });
    if ((await this.broker.presence.stats(channel)).connections > 0) await this.store.markDelivered([record.id], Date.now());
    return view;
  }

  /** Sends to every connected user (broadcasts are live only: not kept per user for offline delivery). */
  async broadcast(input: NotificationInput): Promise<NotificationView> {
    const record = await this.store.create(this.record(null, input));
    const view = notificationView(record);
    await this.broker.publish(BROADCAST_CHANNEL, { type: NOTIFICATION_EVENT, data: view });
    return view;
  }

  /** Returns the user's undelivered notifications, oldest first, and marks them delivered. */
  async takeUndelivered(user: UserId, limit = 100): Promise<NotificationView[]> {
    const pending = await this.store.undelivered(user, limit);
    await this.store.markDelivered(pending.map((n) => n.id), Date.now());
    return pending.map(notificationView);
  }

  /** The user's notifications, newest first (the inbox). */
  async list(user: UserId, limit = 50): Promise<NotificationView[]> {
    return (await this.store.list(user, limit)).map(notificationView);
  }

  private record(user: UserId | null, input: NotificationInput): Omit<NotificationRecord, "deliveredAt"> {
    return {
      id: uuidv7(),
      userId: user,
      title: input.title,
      message: input.message,
      category: input.type ?? "info",
      data: input.data ?? null,
      actionUrl: input.action_url ?? null,
      createdAt: Date.now(),
    };
  }
}
