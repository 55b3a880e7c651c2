import type { Logger } from "pino";
import type { AppContext } from "../../services/context.js";
import { TgError, type TgBody, type TgCall, type TgFlow, type TgService } from "./service.js";
import { TG_SERVICES } from "./services/index.js";

/** Every service by its `service` name (the REST twins' `{kind}`). */
const byKind = new Map(TG_SERVICES.map((s) => [s.kind, s]));

/** The service named `kind`, or undefined. */
export const findService = (kind: string): TgService | undefined => byKind.get(kind);

/** Names of the services of one scope, sorted (for docs and REST route registration). */
export const serviceKinds = (scope: TgService["scope"]): string[] =>
  TG_SERVICES.filter((s) => s.scope === scope)
    .map((s) => s.kind)
    .sort();

/** The seed's message for a flow that is not started (its error example). */
export const FLOW_NOT_FOUND = "Flow not found";

/**
 * The started flow a flow-hosted call runs in; undefined for global services (a `flow` given to one
 * is ignored, as the real server does).
 * @throws TgError `gateway-error` when a flow service gets no flow, `flow-not-found` when it is not started
 */
export async function flowFor(app: AppContext, service: TgService, flowId: string | undefined): Promise<TgFlow | undefined> {
  if (service.scope === "global") return undefined;
  if (flowId === undefined) throw new TgError("gateway-error", `the ${service.kind} service runs in a flow: give "flow"`);
  const flow = await app.flows.resolve(flowId);
  if (!flow) throw new TgError("flow-not-found", FLOW_NOT_FOUND);
  return flow;
}

/** Service-specific end markers; a body carrying one says whether it is the last. */
const END_MARKERS = ["end-of-stream", "end-of-dialog", "end-of-session", "eos"] as const;

/** true: the last body; false: explicitly not the last; undefined: the body does not say. */
function finality(body: TgBody): boolean | undefined {
  let said: boolean | undefined;
  for (const k of END_MARKERS) {
    const v = body[k];
    if (v === true) return true;
    if (v === false) said = false;
  }
  return said;
}

/** One reply of a call, with the envelope's `complete` flag. */
export interface Reply {
  body: TgBody;
  complete: boolean;
}

/**
 * Runs a handler and yields its bodies with `complete` set, so that the real last body carries
 * `complete: true`. A body with an end marker (`end-of-stream`, `end-of-dialog`, `end-of-session`,
 * `eos`) is passed on at once, final if the marker is true, as the real server's translators decide;
 * a body without one is held until the next arrives (or the handler ends), so streams stay prompt and
 * replies without markers still end on a real body. If the last body said it was not the last, an empty
 * final body `{}` ends the call. Errors propagate to the caller.
 */
export async function* replies(service: TgService, call: TgCall): AsyncGenerator<Reply> {
  let held: TgBody | undefined;
  for await (const body of service.handle(call)) {
    if (held) {
      yield { body: held, complete: false };
      held = undefined;
    }
    const final = finality(body);
    if (final === undefined) held = body;
    else {
      yield { body, complete: final };
      // Nothing may follow a final body: leaving the loop ends the handler.
      if (final) return;
    }
  }
  if (held) yield { body: held, complete: true };
  else yield { body: {}, complete: true };
}

/** An error as a client sees it: a TgError as is, anything else logged and hidden as `gateway-error`. */
export function clientError(err: unknown, log: Logger, service: string): TgError {
  if (err instanceof TgError) return err;
  log.error({ err, service }, "trustgraph service failed");
  return new TgError("gateway-error", "internal error");
}
