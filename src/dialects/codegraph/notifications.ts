import { BROADCAST_CHANNEL, userChannel } from "../../core/channel.js";
import type { Principal, Publication } from "../../core/types.js";
import { NOTIFICATION_EVENT, type NotificationView } from "../../services/notifications.js";
import { notificationMessage, notificationsCodec } from "./codecs.js";
import { CodeGraphSession } from "./session.js";

/** Undelivered notifications taken per store read, and the most read on one connect. */
const PAGE = 100;
const MAX_PAGES = 10;

/**
 * `/api/v1/ws/notifications`: `notification` messages from the user's `user:{id}` channel and
 * `broadcast`. On connect, right after `connected`, the notifications sent while the user had no
 * socket open arrive first, oldest first; one that is also published while the socket is being set up
 * is shown once.
 */
export class NotificationSession extends CodeGraphSession {
  readonly codec = notificationsCodec;

  protected async welcome(principal: Principal): Promise<void> {
    const { hub, notifications } = this.gw;
    const user = principal.userId;
    // Subscribe first, so whatever is sent from now on arrives live (or buffered until activate).
    const pending = await Promise.all([userChannel(user), BROADCAST_CHANNEL].map((ch) => hub.prepareSubscribe(this.connection, ch)));
    const backlog: NotificationView[] = [];
    let complete = false;
    for (let page = 0; page < MAX_PAGES && !complete; page++) {
      const batch = await notifications.takeUndelivered(user, PAGE);
      backlog.push(...batch);
      complete = batch.length < PAGE;
    }
    this.sendConnected(principal);
    for (const n of backlog) {
      const frame = notificationMessage(n);
      if (frame) this.connection.send(frame);
    }
    const sent = new Set(backlog.map((n) => n.id));
    const alreadySent = (pub: Publication): boolean =>
      pub.type === NOTIFICATION_EVENT && sent.has((pub.data as Partial<NotificationView> | null)?.id ?? "");
    for (const p of pending) hub.activate(p, alreadySent);
    // Notifications sent during the set-up reach this socket through the subscription, but the service
    // could not yet see the socket and left them undelivered: mark them, so the next connect does not
    // repeat them. (Only when the backlog was read to its end: anything left is still owed.)
    if (complete) await notifications.takeUndelivered(user, PAGE);
  }
}
