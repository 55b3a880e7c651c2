import { z } from "zod";
import { BROADCAST_CHANNEL, userChannel } from "../core/channel.js";
import type { Publication, UserId } from "../core/types.js";
import type { Broker } from "../engines/broker/broker.js";

/**
 * Status events of a platform's backends (UnaCODE's "System Notifications"): orchestrators, team
 * deployments, executions, alerts. Each is published once, with the event type as the publication's
 * type and the payload as its data, on `broadcast` (everyone) or `user:{id}` (one user); every dialect
 * renders it in its own shape or skips it (`/ws` clients see it as a plain event).
 */
export const SYSTEM_EVENT_TYPES = ["orchestrator_status", "team_deployment", "execution_progress", "system_alert"] as const;
export type SystemEventType = (typeof SYSTEM_EVENT_TYPES)[number];

const TYPES: ReadonlySet<string> = new Set(SYSTEM_EVENT_TYPES);
/** True for the type of a system event publication. */
export const isSystemEventType = (type: string): type is SystemEventType => TYPES.has(type);

const id = z.string().min(1).max(255);
const progress = z.number().min(0).max(100);

/**
 * The payload of each type: the fields of the seed's examples, those it always shows required; more
 * fields are kept and delivered as sent.
 */
export const SYSTEM_EVENT_PAYLOADS = {
  orchestrator_status: z.looseObject({ orchestrator_id: id, status: z.string().min(1), progress: progress.optional(), result: z.unknown().optional() }),
  team_deployment: z.looseObject({ team_id: id, status: z.string().min(1), health: z.string().optional() }),
  execution_progress: z.looseObject({ execution_id: id, progress, logs: z.array(z.string()).optional() }),
  system_alert: z.looseObject({
    alert_type: z.string().min(1),
    message: z.string().min(1).max(10_000),
    severity: z.enum(["info", "warning", "error", "critical"]),
  }),
} as const satisfies Record<SystemEventType, z.ZodType>;

/** A system event as published: where it went and its id. */
export interface SystemEventView {
  id: string;
  type: SystemEventType;
  /** `broadcast` or `user:{id}`. */
  channel: string;
  epoch: string;
  offset: number;
  timestamp: string;
}

/** The id of a system event: stable for its publication (`evt_<epoch>_<offset>`), so clients can tell repeats. */
export const systemEventId = (pub: Pick<Publication, "epoch" | "offset">): string => `evt_${pub.epoch}_${pub.offset}`;

/** Publishes system events (the payload is validated by the caller against SYSTEM_EVENT_PAYLOADS). */
export class SystemEventService {
  constructor(private readonly broker: Broker) {}

  /** Publishes to `user`'s sockets, or to everyone's when `user` is undefined. */
  async publish(type: SystemEventType, payload: Record<string, unknown>, user?: UserId): Promise<SystemEventView> {
    const channel = user === undefined ? BROADCAST_CHANNEL : userChannel(user);
    const pub = await this.broker.publish(channel, { type, data: payload });
    return { id: systemEventId(pub), type, channel, epoch: pub.epoch, offset: pub.offset, timestamp: new Date(pub.time).toISOString() };
  }
}
