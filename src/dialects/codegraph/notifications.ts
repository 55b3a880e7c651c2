import type { Principal } from "../../core/types.js";
import { openNotificationFeed } from "../../services/notification-feed.js";
import { notificationMessage, notificationsCodec } from "./codecs.js";
import { CodeGraphSession } from "./session.js";

/**
 * `/api/v1/ws/notifications`: `notification` messages from the user's `user:{id}` channel and
 * `broadcast`. On connect, right after `connected`, the notifications sent while the user had no
 * socket open arrive first, oldest first; one that is also published while the socket is being set up
 * is shown once.
 */
export class NotificationSession extends CodeGraphSession {
  readonly codec = notificationsCodec;

  protected async welcome(principal: Principal): Promise<void> {
    await openNotificationFeed(this.gw, this.connection, principal.userId, {
      welcome: () => this.sendConnected(principal),
      render: notificationMessage,
    });
  }
}
