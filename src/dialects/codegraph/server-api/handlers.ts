import { BROADCAST_CHANNEL, userChannel } from "../../../core/channel.js";
import { GatewayError } from "../../../core/errors.js";
import type { ConnectionId, UserId } from "../../../core/types.js";
import type { AppContext } from "../../../services/context.js";
import type { JobView } from "../../../services/jobs.js";
import { ChatSession } from "../chat.js";
import type { WSMessage } from "../envelope.js";
import type { NotificationLevel } from "../factories.js";
import type { WebSocketManager } from "./manager.js";

/** CodeGraph's `ChatHandler`: runs a chat query on a chat socket, as if the client had sent it. */
export class ChatHandler {
  constructor(private readonly app: AppContext) {}

  /**
   * Processes `message` (a `chat.query`) for the connection and streams the answer to it.
   * @throws GatewayError LG_ERR_REQUEST_INVALID when the connection is not the user's `/api/v1/ws/chat` socket
   */
  handleQuery(userId: UserId, connId: ConnectionId, message: WSMessage): void {
    const conn = this.app.hub.connection(connId);
    if (!conn || conn.userId !== userId || !(conn.owner instanceof ChatSession)) {
      throw new GatewayError("LG_ERR_REQUEST_INVALID", { detail: `no chat socket ${connId} of user ${userId}` });
    }
    conn.owner.handleQuery(message);
  }
}

/** CodeGraph's `JobHandler`: job subscriptions and updates. */
export class JobHandler {
  constructor(
    private readonly app: AppContext,
    private readonly manager: WebSocketManager,
  ) {}

  /** Subscribes the user to the job's updates (see WebSocketManager.subscribeToJob); false if not theirs. */
  async handleSubscribe(userId: UserId, _connId: ConnectionId, jobId: string): Promise<boolean> {
    const job = await this.app.jobs.get(jobId);
    if (!job || job.owner !== userId) return false;
    this.manager.subscribeToJob(userId, jobId);
    return true;
  }

  handleUnsubscribe(userId: UserId, jobId: string): void {
    this.manager.unsubscribeFromJob(userId, jobId);
  }

  /**
   * Records a job update (stored, published on every node): `completed` → complete with `result`,
   * `failed` → fail with `error`, anything else → progress.
   */
  async sendJobUpdate(jobId: string, status: string, progress: number, result?: unknown, error?: string | null): Promise<JobView> {
    if (status === "completed") return this.app.jobs.complete(jobId, result ?? null);
    if (status === "failed") return this.app.jobs.fail(jobId, error ?? "failed");
    return this.app.jobs.progress(jobId, progress);
  }
}

/** CodeGraph's `NotificationHandler`: notifications through the notification service. */
export class NotificationHandler {
  constructor(private readonly app: AppContext) {}

  /**
   * Sends a notification to one user (stored; delivered now or on the user's next connect). Resolves
   * true if a socket of the user received it at once.
   */
  async sendNotification(userId: UserId, title: string, message: string, notificationType: NotificationLevel = "info", data?: unknown): Promise<boolean> {
    await this.app.notifications.send(userId, { title, message, type: notificationType, data });
    return (await this.app.broker.presence.stats(userChannel(userId))).connections > 0;
  }

  /** Sends a notification to everyone connected; resolves with this node's sockets on `broadcast`. */
  async broadcastNotification(title: string, message: string, notificationType: NotificationLevel = "info"): Promise<number> {
    await this.app.notifications.broadcast({ title, message, type: notificationType });
    return this.app.hub.subscribersOf(BROADCAST_CHANNEL).length;
  }
}
