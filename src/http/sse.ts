import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { BROADCAST_CHANNEL } from "../core/channel.js";
import type { ConnectionOwner, PublicationCodec } from "../core/connection.js";
import { GatewayError, toGatewayError } from "../core/errors.js";
import type { Principal, Publication, StreamPosition } from "../core/types.js";
import { chatEventFrame, errorFrame, type Vocabulary } from "../dialects/nadoo/frames.js";
import { notificationFrame } from "../dialects/nadoo/notifications.js";
import type { AppContext } from "../services/context.js";
import { openNotificationFeed } from "../services/notification-feed.js";
import { NOTIFICATION_EVENT } from "../services/notifications.js";
import { SSE_HEADERS, sseMessage, SseTransport } from "../transport/sse.js";
import { parseBody } from "./errors.js";
import { requireUser } from "./user-auth.js";

const askSchema = z.object({
  content: z.string().trim().min(1).max(100_000),
  chat_id: z.string().min(1).max(128).nullish(),
  session_id: z.string().min(1).max(128).nullish(),
});
const vocabularySchema = z.object({ vocabulary: z.enum(["api", "streaming"]).default("api") }).loose();

/** How long an EventSource waits before reopening a dropped stream. */
const RETRY_MS = 1000;

/** Parses an event id `epoch:offset` (the position of `user:{id}`), or undefined. */
function parsePosition(id: unknown): StreamPosition | undefined {
  if (typeof id !== "string") return undefined;
  const m = /^([A-Za-z0-9_-]{1,64}):(\d{1,15})$/.exec(id.trim());
  return m ? { epoch: m[1]!, offset: Number(m[2]) } : undefined;
}

/** Starts a `text/event-stream` answer on the raw response; Fastify no longer touches it. */
function openStream(reply: FastifyReply): void {
  reply.hijack();
  reply.raw.writeHead(200, SSE_HEADERS);
  // A comment first, so clients and proxies see the stream start at once; a dropped stream is
  // reopened by EventSource after `retry` ms.
  reply.raw.write(`: livegate\nretry: ${RETRY_MS}\n\n`);
}

/**
 * Server-Sent Events, for clients that only listen (seed 004, "WebSocket vs SSE"): an answer streamed as
 * the chat socket's events, and the user's notifications with `Last-Event-ID` resume. Both take the
 * user's JWT as `Authorization: Bearer` or `?token=` (a browser's EventSource cannot set headers).
 */
export function sseRoutes(app: FastifyInstance, gw: AppContext): void {
  app.post<{ Params: { app_id: string } }>("/api/v1/chat/:app_id/stream", async (req, reply) => {
    const principal = await requireUser(gw.auth, req);
    const body = parseBody(askSchema, req.body);
    const { vocabulary } = parseBody(vocabularySchema, req.query);
    const sessionId = body.session_id ?? null;
    if (sessionId) await gw.sessions.join(principal, sessionId);
    const controller = new AbortController();
    // The client went away: stop the answer (its socket twin stops only on `cancel`; here nobody else listens, unless in a session).
    reply.raw.on("close", () => {
      if (!reply.raw.writableFinished) controller.abort();
    });
    openStream(reply);
    const write = (event: string, data: string): void => {
      if (!reply.raw.writableEnded) reply.raw.write(sseMessage(event, data));
    };
    try {
      await gw.sessions.answer(
        { user: principal.userId, content: body.content, applicationId: req.params.app_id, chatId: body.chat_id, sessionId, signal: controller.signal },
        (ev) => {
          const frame = chatEventFrame(ev, vocabulary as Vocabulary);
          if (frame) write((JSON.parse(frame) as { type: string }).type, frame);
        },
      );
    } catch (err) {
      const e = toGatewayError(err);
      if (e.kind === "internal") gw.log.error({ err }, "sse chat stream failed");
      write("error", errorFrame(e));
    }
    reply.raw.end();
  });

  app.get("/api/v1/sse/notifications", async (req, reply) => {
    const principal = await requireUser(gw.auth, req);
    await streamNotifications(gw, principal, req, reply);
  });
}

/** The SSE message of a `user:{id}` or `broadcast` notification publication; only the user's carry an id. */
function notificationMessage(pub: Publication): string | undefined {
  if (pub.type !== NOTIFICATION_EVENT) return undefined;
  const frame = notificationFrame(pub.data);
  if (!frame) return undefined;
  // Broadcasts are live only: no id, so Last-Event-ID keeps naming the user's channel.
  return sseMessage("notification", frame, pub.channel === BROADCAST_CHANNEL ? undefined : `${pub.epoch}:${pub.offset}`);
}

const sseNotificationsCodec: PublicationCodec = { key: "sse.notifications", encode: notificationMessage };

/**
 * `GET /api/v1/sse/notifications`: `connected` (its id is the user channel's position), then live
 * notifications, each with the id `epoch:offset`. With `Last-Event-ID` (or `?last_event_id=`), the
 * notifications after that position are replayed from history first; if history no longer reaches
 * back, `history_lost` says so (refetch `GET /api/v1/notifications`). Without one, the notifications
 * sent while the user was offline come first, as on the sockets.
 */
async function streamNotifications(gw: AppContext, principal: Principal, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const user = principal.userId;
  const query = req.query as Record<string, unknown>;
  const resumeFrom = parsePosition(req.headers["last-event-id"]) ?? parsePosition(query.last_event_id);
  const transport = new SseTransport(reply.raw);
  const owner: ConnectionOwner = {
    codec: sseNotificationsCodec,
    reportError: (err: GatewayError) => transport.send(sseMessage("error", errorFrame(err))),
    goodbye: () => ({ code: 1000, reason: "" }),
  };
  const conn = gw.hub.open("sse", transport, owner);
  transport.onAlive = () => (conn.lastReceivedAt = Date.now());
  reply.raw.on("close", () => conn.markClosed());
  try {
    gw.hub.authenticate(conn, principal);
  } catch (err) {
    conn.markClosed();
    throw err;
  }
  openStream(reply);
  try {
    await openNotificationFeed(
      gw,
      conn,
      user,
      {
        welcome: ({ position, recovered }) => {
          transport.send(sseMessage("connected", JSON.stringify({ type: "connected", user_id: user }), `${position.epoch}:${position.offset}`));
          if (recovered === false) transport.send(sseMessage("history_lost", JSON.stringify({ type: "history_lost", epoch: position.epoch, offset: position.offset })));
        },
        // Backlog notifications carry no id: Last-Event-ID keeps naming the last position received live.
        render: (n) => {
          const frame = notificationFrame(n);
          return frame === undefined ? undefined : sseMessage("notification", frame);
        },
      },
      resumeFrom,
    );
  } catch (err) {
    conn.fail(toGatewayError(err));
  }
}
