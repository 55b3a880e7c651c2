import type { PublicationCodec } from "../../core/connection.js";
import { GatewayError } from "../../core/errors.js";
import type { Principal, Publication } from "../../core/types.js";
import { executionChannel, type PluginEventView } from "../../services/plugin-executions.js";
import { errorCodeFor, errorMessageFor } from "./codes.js";
import { errorFrame, frame } from "./frames.js";
import { NadooSession, type ClientFrame } from "./session.js";

/** Recorded events sent in `debug_data` on connect, at most (the newest). */
export const DEBUG_HISTORY_LIMIT = 1000;

/** Live debug events of `execution:{id}` as `{type, data, seq, timestamp}` (payloads wrapped in `data`). */
const debugCodec: PublicationCodec = {
  key: "nadoo.debug",
  encode(pub: Publication) {
    const ev = pub.data as Partial<PluginEventView> | null;
    if (!ev || typeof ev.seq !== "number") return undefined;
    return frame({ type: pub.type, data: ev.data ?? null, seq: ev.seq, timestamp: ev.timestamp });
  },
};

/**
 * `/api/v1/ws/plugin/debug/{execution_id}` (seed 004, "Plugin Debug WebSocket"): no JWT, access scoped by
 * an existing execution id (random UUIDs, so not guessable; an unknown one gets `error`, then close 1008
 * "Execution not found"). On connect `execution_info`, then `debug_data` with the recorded events, then
 * each live event; every frame wraps its payload in `data`. Plain-text `ping` → `pong`.
 */
export class DebugSocket extends NadooSession {
  private get executionId(): string {
    return this.ctx.params.execution_id ?? "";
  }

  /** No token: the execution id is the credential. Sockets count per execution, not as a user. */
  protected override async authenticate(): Promise<Principal> {
    const id = this.executionId;
    await this.gw.pluginExecutions.require(id);
    return { userId: `plugin-debug:${id}`, claims: { anonymous: true } };
  }

  protected async welcome(): Promise<void> {
    const { hub, pluginExecutions } = this.gw;
    const id = this.executionId;
    this.codec = debugCodec;
    // Subscribe first, then read the record: nothing appended in between is lost or shown twice.
    const pending = await hub.prepareSubscribe(this.connection, executionChannel(id));
    const [execution, history] = await Promise.all([pluginExecutions.require(id), pluginExecutions.history(id, DEBUG_HISTORY_LIMIT)]);
    this.send({ type: "execution_info", data: execution });
    if (history.length > 0) this.send({ type: "debug_data", data: history });
    const last = history.at(-1)?.seq ?? 0;
    hub.activate(pending, (pub) => ((pub.data as Partial<PluginEventView> | null)?.seq ?? 0) <= last);
  }

  protected onMessage(_msg: ClientFrame): boolean {
    return false;
  }

  /** The seed's keep-alive: the text `ping` answered with the text `pong`. */
  protected override onText(text: string): boolean {
    if (text.trim() !== "ping") return false;
    this.connection.send("pong");
    return true;
  }

  /** Errors wrap their payload in `data` like every frame of this socket, and keep `message` for the others' readers. */
  override reportError(err: GatewayError, extra: Record<string, unknown> = {}): void {
    this.connection.transport.send(errorFrame(err, { data: { message: errorMessageFor(err), code: errorCodeFor(err) }, ...extra }));
  }
}
