import type { PublicationCodec } from "../../core/connection.js";
import { BROADCAST_CHANNEL, userChannel } from "../../core/channel.js";
import { GatewayError } from "../../core/errors.js";
import type { Principal, Publication } from "../../core/types.js";
import { NOTIFICATION_EVENT, type NotificationView } from "../../services/notifications.js";
import { frame } from "./frames.js";
import { NadooSession } from "./session.js";

/** Undelivered notifications taken per store read, and the most read on one connect. */
const PAGE = 100;
const MAX_PAGES = 10;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/**
 * `{"type":"notification","notification":{"title","body","action_url",…},"timestamp"}` for the
 * notification service's view (seed 004, "Notifications WebSocket"); `body` is the service's `message`.
 * livegate adds `id`, `type` (info, success, warning, error) and `data`; `timestamp` is when it was sent.
 */
export function notificationFrame(data: unknown): string | undefined {
  if (!isObject(data)) return undefined;
  const created = str(data.created_at);
  return frame({
    type: "notification",
    notification: {
      id: str(data.id),
      title: str(data.title) ?? "",
      body: str(data.message) ?? "",
      action_url: str(data.action_url),
      type: str(data.type) ?? "info",
      data: data.data ?? null,
    },
    ...(created ? { timestamp: created } : {}),
  });
}

/** Notification sockets show `notification` publications of `user:{id}` and `broadcast`. */
export const notificationsCodec: PublicationCodec = {
  key: "nadoo.notifications",
  encode: (pub) => (pub.type === NOTIFICATION_EVENT ? notificationFrame(pub.data) : undefined),
};

/**
 * `/ws/notifications/{user_id}`: the path's user must be the token's `sub`, else `error` and close 1008
 * "User mismatch". Then `connected`, the notifications sent while the user had no socket open (oldest
 * first), and live ones, each once, from the same notification service as every other protocol.
 */
export class NotificationSocket extends NadooSession {
  protected async welcome(principal: Principal): Promise<void> {
    const { hub, notifications } = this.gw;
    const user = principal.userId;
    const pathUser = this.ctx.params.user_id ?? "";
    if (pathUser !== user) throw new GatewayError("LG_ERR_USER_MISMATCH", { user: pathUser.slice(0, 64) });
    this.codec = notificationsCodec;
    // Subscribe first, so whatever is sent from now on arrives live (or buffered until activate).
    const pending = await Promise.all([userChannel(user), BROADCAST_CHANNEL].map((ch) => hub.prepareSubscribe(this.connection, ch)));
    const backlog: NotificationView[] = [];
    let complete = false;
    for (let page = 0; page < MAX_PAGES && !complete; page++) {
      const batch = await notifications.takeUndelivered(user, PAGE);
      backlog.push(...batch);
      complete = batch.length < PAGE;
    }
    this.send({ type: "connected", user_id: user });
    for (const n of backlog) {
      const f = notificationFrame(n);
      if (f) this.connection.send(f);
    }
    const sent = new Set(backlog.map((n) => n.id));
    const alreadySent = (pub: Publication): boolean =>
      pub.type === NOTIFICATION_EVENT && sent.has((pub.data as Partial<NotificationView> | null)?.id ?? "");
    for (const p of pending) hub.activate(p, alreadySent);
    // Sent during the set-up: delivered through the subscription, but left undelivered by the service.
    if (complete) await notifications.takeUndelivered(user, PAGE);
  }

  protected onMessage(): boolean {
    return false;
  }
}
