import { WSMessage, WSMessageType, type WSPayload } from "./envelope.js";

/**
 * The seed's helper functions (`models.py`, "Helper Functions") in camelCase, plus one builder for each
 * other server message this dialect sends. Optional fields are left out of the payload when absent.
 */

/** Notification category; CodeGraph sends it under `type` in the payload (seed 000, the note on `level`). */
export type NotificationLevel = "info" | "success" | "warning" | "error";

const iso = (d: Date): string => d.toISOString();

/** `chat.chunk` `{content, is_final}`. */
export function createChatChunk(content: string, requestId?: string | null, isFinal = false): WSMessage {
  return new WSMessage({ type: WSMessageType.CHAT_CHUNK, payload: { content, is_final: isFinal }, requestId });
}

/** `chat.response` `{answer, scenario_id, confidence, session_id}`. */
export function createChatResponse(
  answer: string,
  scenarioId: string,
  confidence: number,
  sessionId: string,
  requestId?: string | null,
): WSMessage {
  return new WSMessage({
    type: WSMessageType.CHAT_RESPONSE,
    payload: { answer, scenario_id: scenarioId, confidence, session_id: sessionId },
    requestId,
  });
}

/** `job.progress` `{job_id, progress, message?}`. */
export function createJobProgress(jobId: string, progress: number, message?: string | null): WSMessage {
  const payload: WSPayload = { job_id: jobId, progress };
  if (message !== undefined && message !== null) payload.message = message;
  return new WSMessage({ type: WSMessageType.JOB_PROGRESS, payload });
}

/** `job.completed` `{job_id, status: "completed", result, error: null, completed_at}`; `completedAt` defaults to now. */
export function createJobCompleted(jobId: string, result: unknown, completedAt: Date = new Date()): WSMessage {
  return new WSMessage({
    type: WSMessageType.JOB_COMPLETED,
    payload: { job_id: jobId, status: "completed", result: result ?? null, error: null, completed_at: iso(completedAt) },
  });
}

/**
 * `job.failed` `{job_id, status: "failed", result: null, error, completed_at}`, with `details` when given;
 * `completedAt` defaults to now.
 */
export function createJobFailed(jobId: string, error: string, details?: string | null, completedAt: Date = new Date()): WSMessage {
  const payload: WSPayload = { job_id: jobId, status: "failed", result: null, error, completed_at: iso(completedAt) };
  if (details !== undefined && details !== null) payload.details = details;
  return new WSMessage({ type: WSMessageType.JOB_FAILED, payload });
}

/**
 * `notification` `{title, message, type, data?, action_url?}`: the category (`level`, default `info`) goes
 * under `type`, as CodeGraph's NotificationHandler sends it. `data` is livegate's addition to the signature.
 */
export function createNotification(
  title: string,
  message: string,
  level: NotificationLevel = "info",
  actionUrl?: string | null,
  data?: unknown,
): WSMessage {
  const payload: WSPayload = { title, message, type: level };
  if (data !== undefined && data !== null) payload.data = data;
  if (actionUrl !== undefined && actionUrl !== null) payload.action_url = actionUrl;
  return new WSMessage({ type: WSMessageType.NOTIFICATION, payload });
}

/** `error` `{error, details?}`, e.g. `createError("Query is required", undefined, "req-1")`. */
export function createError(error: string, details?: string | null, requestId?: string | null): WSMessage {
  const payload: WSPayload = { error };
  if (details !== undefined && details !== null) payload.details = details;
  return new WSMessage({ type: WSMessageType.ERROR, payload, requestId });
}

/** `chat.error` `{error, details?}`. */
export function createChatError(error: string, details?: string | null, requestId?: string | null): WSMessage {
  const payload: WSPayload = { error };
  if (details !== undefined && details !== null) payload.details = details;
  return new WSMessage({ type: WSMessageType.CHAT_ERROR, payload, requestId });
}

/** `chat.scenario` `{scenario_id}`. */
export function createChatScenario(scenarioId: string, requestId?: string | null): WSMessage {
  return new WSMessage({ type: WSMessageType.CHAT_SCENARIO, payload: { scenario_id: scenarioId }, requestId });
}

/** `chat.done` `{}`. */
export function createChatDone(requestId?: string | null): WSMessage {
  return new WSMessage({ type: WSMessageType.CHAT_DONE, requestId });
}

/** `connected` `{connection_id, user_id}`. */
export function createConnected(connectionId: string, userId: string): WSMessage {
  return new WSMessage({ type: WSMessageType.CONNECTED, payload: { connection_id: connectionId, user_id: userId } });
}

/** A message with an empty payload: `disconnected`, `auth_required`, `authenticated`, `pong`. */
export function createSignal(
  type: typeof WSMessageType.DISCONNECTED | typeof WSMessageType.AUTH_REQUIRED | typeof WSMessageType.AUTHENTICATED | typeof WSMessageType.PONG,
  requestId?: string | null,
): WSMessage {
  return new WSMessage({ type, requestId });
}

/** A job's state as `job.started` shows it. */
export interface JobSnapshot {
  job_id: string;
  status: string;
  progress: number;
  job_type: string;
  started_at: string | null;
  created_at: string;
}

/** `job.started` `{job_id, status, progress, job_type, started_at, created_at}`: the job's current state. */
export function createJobStarted(job: JobSnapshot): WSMessage {
  const { job_id, status, progress, job_type, started_at, created_at } = job;
  return new WSMessage({ type: WSMessageType.JOB_STARTED, payload: { job_id, status, progress, job_type, started_at, created_at } });
}

/** `cpg.update.complete` with `payload` (whatever the publisher sent, as an object). */
export function createCpgUpdateComplete(payload: WSPayload = {}, timestamp?: Date): WSMessage {
  return new WSMessage({ type: WSMessageType.CPG_UPDATE_COMPLETE, payload, timestamp });
}
