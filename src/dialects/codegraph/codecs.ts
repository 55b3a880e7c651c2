import type { PublicationCodec } from "../../core/connection.js";
import type { Publication } from "../../core/types.js";
import { JOB_EVENTS } from "../../services/jobs.js";
import { NOTIFICATION_EVENT } from "../../services/notifications.js";
import { WSMessageType, type WSPayload } from "./envelope.js";
import { createCpgUpdateComplete, createJobCompleted, createJobFailed, createJobProgress, createNotification, type NotificationLevel } from "./factories.js";

/**
 * How each CodeGraph endpoint renders the publications of the channels it listens on. A codec skips
 * (returns undefined) every event type its endpoint does not show. Each is shared by all sockets of its
 * endpoint, so the hub encodes a publication once per endpoint.
 */

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const date = (v: unknown): Date | undefined => {
  const d = typeof v === "string" ? new Date(v) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d : undefined;
};
const LEVELS: ReadonlySet<string> = new Set<NotificationLevel>(["info", "success", "warning", "error"]);

/** A publication's data as a payload object: an object as is, nothing as `{}`, anything else as `{data}`. */
export function payloadOf(data: unknown): WSPayload {
  if (isObject(data)) return data;
  return data === undefined || data === null ? {} : { data };
}

/** Chat sockets show `cpg.update.complete` (published to `broadcast` or `codegraph:{user}`). */
export const chatCodec: PublicationCodec = {
  key: "codegraph.chat",
  encode: (pub) => (pub.type === WSMessageType.CPG_UPDATE_COMPLETE ? createCpgUpdateComplete(payloadOf(pub.data), new Date(pub.time)).toJson() : undefined),
};

/** The `notification` message for a notification publication (the service's NotificationView as data). */
export function notificationMessage(data: unknown): string | undefined {
  if (!isObject(data)) return undefined;
  const level = str(data.type);
  const msg = createNotification(
    str(data.title) ?? "",
    str(data.message) ?? "",
    level && LEVELS.has(level) ? (level as NotificationLevel) : "info",
    str(data.action_url),
    data.data,
  );
  // The id lets a client tell a notification it already has; the time is when it was sent.
  const id = str(data.id);
  if (id !== undefined) msg.payload.id = id;
  const json = msg.toJSON();
  const at = date(data.created_at);
  if (at) json.timestamp = at.toISOString();
  return JSON.stringify(json);
}

/** Notification sockets show `notification` publications of `user:{id}` and `broadcast`. */
export const notificationsCodec: PublicationCodec = {
  key: "codegraph.notifications",
  encode: (pub) => (pub.type === NOTIFICATION_EVENT ? notificationMessage(pub.data) : undefined),
};

/** The job message for a `job.*` publication or a stored job (the service's JobView as data). */
export function jobMessage(type: string, data: unknown): string | undefined {
  if (!isObject(data)) return undefined;
  const jobId = str(data.job_id) ?? "";
  switch (type) {
    case JOB_EVENTS.progress:
      return createJobProgress(jobId, typeof data.progress === "number" ? data.progress : 0, str(data.message)).toJson();
    case JOB_EVENTS.completed:
      return createJobCompleted(jobId, data.result, date(data.completed_at)).toJson();
    case JOB_EVENTS.failed:
      return createJobFailed(jobId, str(data.error) ?? "", undefined, date(data.completed_at)).toJson();
    default:
      return undefined;
  }
}

/** Job sockets show `job.progress`, `job.completed` and `job.failed` of `job:{id}`. */
export const jobsCodec: PublicationCodec = {
  key: "codegraph.jobs",
  encode: (pub: Publication) => jobMessage(pub.type, pub.data),
};
