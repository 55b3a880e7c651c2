import type { PublicationCodec } from "../../core/connection.js";
import { GatewayError } from "../../core/errors.js";
import type { Principal } from "../../core/types.js";
import { openNotificationFeed } from "../../services/notification-feed.js";
import { NOTIFICATION_EVENT } from "../../services/notifications.js";
import { frame } from "./frames.js";
import { NadooSession } from "./session.js";

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
    const user = principal.userId;
    const pathUser = this.ctx.params.user_id ?? "";
    if (pathUser !== user) throw new GatewayError("LG_ERR_USER_MISMATCH", { user: pathUser.slice(0, 64) });
    this.codec = notificationsCodec;
    await openNotificationFeed(this.gw, this.connection, user, {
      welcome: () => this.send({ type: "connected", user_id: user }),
      render: notificationFrame,
    });
  }

  protected onMessage(): boolean {
    return false;
  }
}
