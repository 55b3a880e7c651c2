import { BROADCAST_CHANNEL, userChannel } from "../core/channel.js";
import type { Connection } from "../core/connection.js";
import type { Hub } from "../core/hub.js";
import type { Publication, StreamPosition, UserId } from "../core/types.js";
import { NOTIFICATION_EVENT, type NotificationService, type NotificationView } from "./notifications.js";

/** Undelivered notifications taken per store read, and the most read on one connect. */
const PAGE = 100;
const MAX_PAGES = 10;

/** Where the feed starts: the `user:{id}` channel's position, and whether a resume found nothing lost. */
export interface NotificationFeedStart {
  position: StreamPosition;
  /** Set when a resume position was given: true if history reached back to it, false if not. */
  recovered: boolean | undefined;
}

/** How one protocol shows the feed: its welcome frame and its rendering of a notification. */
export interface NotificationFeedView {
  /** Sends the protocol's `connected` (after the subscriptions exist, before any notification). */
  welcome(start: NotificationFeedStart): void;
  /** The frame for a stored notification, or undefined to skip it. */
  render(n: NotificationView): string | undefined;
}

/**
 * Opens a notification feed (a socket's or an SSE stream's): subscribes `user:{id}` and `broadcast`,
 * sends the user's undelivered notifications (oldest first) after the welcome, then live ones, each once
 * even when one was sent during the set-up. Shared by every protocol's notification socket.
 *
 * With `resume` (SSE's `Last-Event-ID`), the notifications of `user:{id}` after that position are
 * replayed from history instead of the undelivered backlog. The client has then received every
 * notification up to now (those up to `resume` before, the rest in the replay), so all of the user's
 * undelivered ones are marked delivered and no other socket repeats them. If history no longer reaches
 * back (`recovered: false`), the undelivered backlog is sent as on a fresh connect, beside the replay.
 */
export async function openNotificationFeed(
  gw: { hub: Hub; notifications: NotificationService },
  conn: Connection,
  user: UserId,
  view: NotificationFeedView,
  resume?: StreamPosition,
): Promise<void> {
  const { hub, notifications } = gw;
  // Subscribe first, so whatever is sent from now on arrives live (or buffered until activate).
  const mine = await hub.prepareSubscribe(conn, userChannel(user), resume);
  const all = await hub.prepareSubscribe(conn, BROADCAST_CHANNEL);
  const pending = [mine, all];
  const resumed = resume !== undefined && mine.recovered === true;
  const backlog: NotificationView[] = [];
  let complete = resumed;
  for (let page = 0; page < MAX_PAGES && !complete; page++) {
    const batch = await notifications.takeUndelivered(user, PAGE);
    backlog.push(...batch);
    complete = batch.length < PAGE;
  }
  view.welcome({ position: mine.position, recovered: mine.recovered });
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
  if (resumed) {
    // Replayed and buffered notifications went out in activate (synchronously while the client keeps up).
    for (let page = 0; page < MAX_PAGES; page++) if ((await notifications.takeUndelivered(user, PAGE)).length < PAGE) break;
  } else if (complete) await notifications.takeUndelivered(user, PAGE);
}
