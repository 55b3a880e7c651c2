import { randomUUID } from "node:crypto";
import type { Broker } from "../engines/broker/broker.js";
import type { PluginEventRecord, PluginExecutionRecord, PluginExecutionStatus, PluginExecutionStore } from "../engines/store/store.js";
import { GatewayError } from "../core/errors.js";
import type { ChannelName } from "../core/types.js";

/** The channel of one plugin execution's live debug events. */
export const executionChannel = (id: string): ChannelName => `execution:${id}`;

/** Debug event types (seed 004, "Plugin Debug WebSocket"); the last two finish the execution. */
export const PLUGIN_EVENT_TYPES = ["log", "trace", "step", "variable", "api_call", "execution_complete", "execution_error"] as const;
export type PluginEventType = (typeof PLUGIN_EVENT_TYPES)[number];

const FINAL: Partial<Record<PluginEventType, PluginExecutionStatus>> = { execution_complete: "completed", execution_error: "failed" };

/** Execution ids are random UUIDs; anything longer or stranger is not looked up. */
const EXECUTION_ID_RE = /^[\w.:@-]{1,64}$/;

/** A plugin execution as REST and `execution_info` show it. */
export interface PluginExecutionView {
  execution_id: string;
  plugin_id: string;
  tool_name: string;
  status: PluginExecutionStatus;
  created_at: string;
  updated_at: string;
  /** Debug events recorded so far. */
  events: number;
}

/** One recorded debug event; also the data of its publication on `execution:{id}`. */
export interface PluginEventView {
  seq: number;
  type: string;
  data: unknown;
  timestamp: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export const executionView = (e: PluginExecutionRecord): PluginExecutionView => ({
  execution_id: e.id,
  plugin_id: e.pluginId,
  tool_name: e.toolName,
  status: e.status,
  created_at: iso(e.createdAt),
  updated_at: iso(e.updatedAt),
  events: e.events,
});

const eventView = (e: PluginEventRecord): PluginEventView => ({ seq: e.seq, type: e.type, data: e.data, timestamp: iso(e.createdAt) });

export const isPluginEventType = (t: string): t is PluginEventType => (PLUGIN_EVENT_TYPES as readonly string[]).includes(t);

/**
 * Plugin executions and their debug events (Nadoo's plugin debug console): stored, numbered 1, 2, 3, …
 * per execution and published on `execution:{id}` in that order. `execution_complete` and
 * `execution_error` finish an execution; nothing is appended after.
 */
export class PluginExecutionService {
  /** Appends to one execution run one at a time on this node, so publications keep the stored order. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: PluginExecutionStore,
    private readonly broker: Broker,
  ) {}

  /** Creates a running execution with an unguessable id (a random UUID). */
  async create(input: { pluginId: string; toolName: string }): Promise<PluginExecutionView> {
    return executionView(await this.store.create({ id: randomUUID(), pluginId: input.pluginId, toolName: input.toolName }));
  }

  /** The execution, or undefined. */
  async get(id: string): Promise<PluginExecutionView | undefined> {
    if (!EXECUTION_ID_RE.test(id)) return undefined;
    const e = await this.store.get(id);
    return e ? executionView(e) : undefined;
  }

  /** @throws GatewayError LG_ERR_EXECUTION_NOT_FOUND */
  async require(id: string): Promise<PluginExecutionView> {
    const e = await this.get(id);
    if (!e) throw new GatewayError("LG_ERR_EXECUTION_NOT_FOUND", { execution_id: id.slice(0, 64) });
    return e;
  }

  /**
   * Records a debug event and publishes it live.
   * @throws GatewayError LG_ERR_REQUEST_INVALID (type), LG_ERR_EXECUTION_NOT_FOUND, LG_ERR_EXECUTION_FINISHED
   */
  async append(id: string, type: string, data: unknown): Promise<PluginEventView> {
    if (!isPluginEventType(type)) throw new GatewayError("LG_ERR_REQUEST_INVALID", { detail: `type: one of ${PLUGIN_EVENT_TYPES.join(", ")}` });
    return this.serial(id, async () => {
      const stored = await this.store.append(id, { type, data: data ?? null }, FINAL[type]);
      if (!stored) {
        const e = await this.require(id);
        throw new GatewayError("LG_ERR_EXECUTION_FINISHED", { execution_id: id, status: e.status });
      }
      const view = eventView(stored);
      await this.broker.publish(executionChannel(id), { type, data: view });
      return view;
    });
  }

  /** The newest `limit` recorded events, oldest first. */
  async history(id: string, limit = 1000): Promise<PluginEventView[]> {
    return (await this.store.events(id, limit)).map(eventView);
  }

  private serial<T>(id: string, f: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(id) ?? Promise.resolve();
    const run = prev.then(f, f);
    const tail = run.catch(() => undefined);
    this.queues.set(id, tail);
    void tail.then(() => {
      if (this.queues.get(id) === tail) this.queues.delete(id);
    });
    return run;
  }
}
