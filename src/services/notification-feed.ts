import { BROADCAST_CHANNEL, userChannel } from "../core/channel.js";
import type { Connection } from "../core/connection.js";
import type { Hub } from "../core/hub.js";
import type { Publication, UserId } from "../core/types.js";
import { NOTIFICATION_EVENT, type NotificationService, type NotificationView } from "./notifications.js";

/** Undelivered notifications taken per store read, and the most read on one connect. */
const PAGE = 100;
const MAX_PAGES = 10;

/** How one protocol shows the feed: its welcome frame and its rendering of a notification. */
export interface NotificationFeedView {
  /** Sends the protocol's `connected` (after the subscriptions exist, before any notification). */
  welcome(): void;
  /** The frame for a stored notification, or undefined to skip it. */
  render(n: NotificationView): string | undefined;
}

/**
 * Opens a notification socket's feed: subscribes `user:{id}` and `broadcast`, sends the user's
 * undelivered notifications (oldest first) after the welcome, then live ones, each once even when one
 * was sent during the set-up. Shared by every protocol's notification socket.
 */
export async function openNotificationFeed(
  gw: { hub: Hub; notifications: NotificationService },
  conn: Connection,
  user: UserId,
  view: NotificationFeedView,
): Promise<void> {
  const { hub, notifications } = gw;
  // Subscribe first, so whatever is sent from now on arrives live (or buffered until activate).
  const pending = await Promise.all([userChannel(user), BROADCAST_CHANNEL].map((ch) => hub.prepareSubscribe(conn, ch)));
  const backlog: NotificationView[] = [];
  let complete = false;
  for (let page = 0; page < MAX_PAGES && !complete; page++) {
    const batch = await notifications.takeUndelivered(user, PAGE);
    backlog.push(...batch);
    complete = batch.length < PAGE;
  }
  view.welcome();
  for (const n of backlog) {
    const frame = view.render(n);
    if (frame) conn.send(frame);
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
