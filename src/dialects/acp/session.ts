import { randomUUID } from "node:crypto";
import type { Connection, ConnectionOwner, PublicationCodec, Transport } from "../../core/connection.js";
import { livegateClose, type DisconnectReason } from "../../core/disconnect.js";
import { GatewayError, toGatewayError } from "../../core/errors.js";
import type { Principal, UserId } from "../../core/types.js";
import type { AppContext } from "../../services/context.js";
import type { DialectSession, UpgradeContext } from "../dialect.js";
import { RPC_ERRORS, RpcError, rpcErrorFor, type RpcErrorData } from "./codes.js";
import {
  AGENT_CAPABILITIES,
  AUTH_METHODS,
  BEARER_METHOD,
  isMethod,
  paramSchemas,
  PROTOCOL_VERSION,
  requestSchema,
  STOP_REASONS,
  type ContentBlock,
  type Method,
  type Params,
  type RpcId,
  type SessionUpdateKind,
  type StopReason,
} from "./frames.js";
import type { PromptRegistry } from "./prompts.js";

/** Calls in one JSON-RPC batch, at most: the rate limit counts frames, so a batch must stay small. */
export const MAX_BATCH_CALLS = 16;

type Response = { jsonrpc: "2.0"; id: RpcId; result: unknown } | { jsonrpc: "2.0"; id: RpcId; error: ReturnType<RpcError["toJSON"]> };

/** ACP sockets subscribe to no channel, so no publication is ever encoded for them. */
const acpCodec: PublicationCodec = { key: "acp", encode: () => undefined };

const errorResponse = (id: RpcId, err: RpcError): Response => ({ jsonrpc: "2.0", id, error: err.toJSON() });

/** zod issues as `{path, message}` for `error.data.issues`. */
function issuesOf(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}

function invalidParams(message: string, path = ""): RpcError {
  return new RpcError(RPC_ERRORS.invalidParams, `Invalid params: ${path ? `${path}: ` : ""}${message}`, {
    code: "LG_ERR_FRAME_INVALID",
    issues: [{ path, message }],
  });
}

/** The id to echo for a frame that is not a valid request: its own when usable, else null (JSON-RPC §5). */
function usableId(raw: unknown): RpcId {
  const id = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as { id?: unknown }).id : undefined;
  return typeof id === "string" || typeof id === "number" ? id : null;
}

/** A JSON-RPC response from the client (ACP is bidirectional); livegate sends no requests, so none is awaited. */
function isResponse(raw: unknown): boolean {
  return typeof raw === "object" && raw !== null && !("method" in raw) && ("result" in raw || "error" in raw);
}

/**
 * The question the chat service is asked: the prompt's text blocks and embedded text resources, in order.
 * @throws RpcError -32602 for image or audio blocks (not advertised) and for a prompt without text
 */
export function promptQuery(blocks: readonly ContentBlock[]): string {
  const parts: string[] = [];
  for (const [i, b] of blocks.entries()) {
    switch (b.type) {
      case "text":
        parts.push(b.text);
        break;
      case "resource":
        // embeddedContext is advertised: a text resource is context for the question; a blob is not readable.
        if ("text" in b.resource) parts.push(b.resource.text);
        break;
      case "resource_link":
        // ACP's baseline: accepted, but livegate cannot fetch the link, so it adds nothing to the question.
        break;
      case "image":
      case "audio":
        throw invalidParams(`${b.type} content is not supported (promptCapabilities.${b.type} is false)`, `prompt.${i}`);
    }
  }
  const query = parts.join("\n\n").trim();
  if (!query) throw invalidParams("no text to answer: send at least one non-empty text block", "prompt");
  return query;
}

/**
 * One `/api/v1/acp/ws` socket: JSON-RPC 2.0 requests in, ACP results and `session/update` notifications
 * out, backed by the chat service. Calls run concurrently (several sessions may prompt at once); replies
 * carry the request's id, and a prompt's updates always precede its result.
 */
export class AcpSession implements DialectSession, ConnectionOwner {
  readonly codec = acpCodec;
  readonly connection: Connection;
  /** A token being verified (connect-time or `authenticate`); calls that need a user wait for it. */
  private authPending: Promise<void> | undefined;
  /** This socket's prompts in progress, aborted when it closes. */
  private readonly ownPrompts = new Set<AbortController>();

  constructor(
    private readonly gw: AppContext,
    private readonly prompts: PromptRegistry,
    transport: Transport,
    ctx: UpgradeContext,
  ) {
    this.connection = gw.hub.open("acp", transport, this);
    if (ctx.credential) this.trackAuth(this.connectAuth(ctx.credential.token));
  }

  onFrame(data: Buffer, isBinary: boolean): void {
    if (isBinary) {
      return this.send(errorResponse(null, new RpcError(RPC_ERRORS.parseError, "Parse error: binary frames are not accepted; send JSON text", { code: "LG_ERR_FRAME_BINARY" })));
    }
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString("utf8"));
    } catch {
      return this.send(errorResponse(null, new RpcError(RPC_ERRORS.parseError, "Parse error: the frame is not valid JSON", { code: "LG_ERR_FRAME_INVALID_JSON" })));
    }
    if (Array.isArray(raw)) {
      void this.batch(raw);
    } else {
      void this.handle(raw).then((reply) => {
        if (reply) this.send(reply);
      });
    }
  }

  /** A rate-limited frame: a request gets the error under its id; a notification, as always, nothing. */
  onRateLimited(data: Buffer, isBinary: boolean, err: GatewayError): void {
    let raw: unknown;
    if (!isBinary) {
      try {
        raw = JSON.parse(data.toString("utf8"));
      } catch {
        // answered with id null below
      }
    }
    const isNotification = typeof raw === "object" && raw !== null && !Array.isArray(raw) && "method" in raw && !("id" in raw);
    if (!isNotification) this.send(errorResponse(usableId(raw), rpcErrorFor(err)));
  }

  /** An error the core reports outside any request (auth timeout, expiry): a response with id null. */
  reportError(err: GatewayError): void {
    this.send(errorResponse(null, rpcErrorFor(err)));
  }

  goodbye(reason: DisconnectReason): { code: number; reason: string } {
    this.abortOwnPrompts();
    return livegateClose(reason);
  }

  /** The socket closed from either side: stop generating answers nobody will read. */
  closed(): void {
    this.abortOwnPrompts();
  }

  /** The token expired: ask for a fresh one through `authenticate` (an ACP extension notification). */
  tokenExpired(expiredAt: number): void {
    const graceMs = this.gw.options.limits.tokenExpiryGraceMs;
    this.notify("_livegate/auth_required", { expiresAt: new Date(expiredAt).toISOString(), graceMs });
  }

  private send(message: unknown): void {
    this.connection.send(JSON.stringify(message));
  }

  private notify(method: string, params: unknown): void {
    this.send({ jsonrpc: "2.0", method, params });
  }

  private update(sessionId: string, sessionUpdate: SessionUpdateKind, text: string): void {
    this.notify("session/update", { sessionId, update: { sessionUpdate, content: { type: "text", text } } });
  }

  private abortOwnPrompts(): void {
    for (const c of this.ownPrompts) c.abort();
  }

  /** JSON-RPC §6: each call answered in one array; notifications add nothing; no array at all if none. */
  private async batch(items: unknown[]): Promise<void> {
    if (items.length === 0) return this.send(errorResponse(null, new RpcError(RPC_ERRORS.invalidRequest, "Invalid Request: empty batch", { code: "LG_ERR_FRAME_INVALID" })));
    if (items.length > MAX_BATCH_CALLS) {
      return this.send(
        errorResponse(null, new RpcError(RPC_ERRORS.invalidRequest, `Invalid Request: a batch holds at most ${MAX_BATCH_CALLS} calls`, { code: "LG_ERR_FRAME_INVALID" })),
      );
    }
    const replies = (await Promise.all(items.map((item) => this.handle(item)))).filter((r) => r !== undefined);
    if (replies.length > 0) this.send(replies);
  }

  /** Answers one call; never rejects. Undefined for notifications (and stray responses). */
  private async handle(raw: unknown): Promise<Response | undefined> {
    const req = requestSchema.safeParse(raw);
    if (!req.success) {
      if (isResponse(raw)) return undefined;
      const data: RpcErrorData = { code: "LG_ERR_FRAME_INVALID", issues: issuesOf(req.error) };
      const detail = typeof raw === "object" && raw !== null ? 'expected {"jsonrpc":"2.0","method","id"?,"params"?}' : "not an object";
      return errorResponse(usableId(raw), new RpcError(RPC_ERRORS.invalidRequest, `Invalid Request: ${detail}`, data));
    }
    const { method, params } = req.data;
    const isNotification = !Object.hasOwn(raw as object, "id");
    const id = req.data.id ?? null;
    try {
      const result = await this.call(method, params);
      return isNotification ? undefined : { jsonrpc: "2.0", id, result: result ?? null };
    } catch (err) {
      const e = this.toRpcError(err, method);
      return isNotification ? undefined : errorResponse(id, e);
    }
  }

  private toRpcError(err: unknown, method: string): RpcError {
    if (err instanceof RpcError) return err;
    const e = toGatewayError(err);
    if (e.kind === "internal") this.gw.log.error({ err, method }, "acp call failed");
    return rpcErrorFor(e);
  }

  /** Validates and runs one method. Runs synchronously up to its first await (see `prompt`). */
  private async call(method: string, params: unknown): Promise<unknown> {
    if (!isMethod(method)) {
      throw new RpcError(RPC_ERRORS.methodNotFound, `Method not found: "${method.slice(0, 64)}"`, { code: "LG_ERR_FRAME_UNKNOWN_TYPE" });
    }
    if (Array.isArray(params)) throw invalidParams("params must be an object (ACP uses named parameters)");
    const parsed = paramSchemas[method].safeParse(params ?? {});
    if (!parsed.success) {
      const issues = issuesOf(parsed.error);
      const summary = issues.map((i) => `${i.path || "params"}: ${i.message}`).join("; ");
      throw new RpcError(RPC_ERRORS.invalidParams, `Invalid params: ${summary}`, { code: "LG_ERR_FRAME_INVALID", issues });
    }
    const p: unknown = parsed.data;
    if (method === "initialize") return this.initialize();
    if (method === "authenticate") return this.authenticate(p as Params<"authenticate">);
    // No await when the socket is already authenticated, so calls reach their handlers in frame order.
    const principal = this.connection.principal ?? (await this.awaitPrincipal());
    return this.run(method, p, principal);
  }

  private run(method: Exclude<Method, "initialize" | "authenticate">, p: unknown, principal: Principal): unknown {
    switch (method) {
      case "session/new":
        return this.newSession(p as Params<"session/new">, principal.userId);
      case "session/load":
        return this.loadSession(p as Params<"session/load">, principal.userId);
      case "session/prompt":
        return this.prompt(p as Params<"session/prompt">, principal.userId);
      case "session/cancel":
        this.prompts.cancel((p as Params<"session/cancel">).sessionId, principal.userId);
        return null;
    }
  }

  /** Waits for a token being verified; throws ACP's auth_required when there is still no user. */
  private async awaitPrincipal(): Promise<Principal> {
    if (this.authPending) await this.authPending;
    const principal = this.connection.principal;
    if (!principal) {
      throw new RpcError(
        RPC_ERRORS.authRequired,
        'Authentication required: call "authenticate" with {"methodId":"bearer","token":"<JWT>"}, or connect with ?token=<JWT>',
        { code: "LG_ERR_AUTH_REQUIRED" },
      );
    }
    return principal;
  }

  private trackAuth(pending: Promise<void>): void {
    const settled = pending.catch(() => undefined);
    this.authPending = settled;
    void settled.then(() => {
      if (this.authPending === settled) this.authPending = undefined;
    });
  }

  /** The connect-time token: a bad one is reported (id null) and closes the socket (4001). */
  private async connectAuth(token: string): Promise<void> {
    const conn = this.connection;
    try {
      const principal = await this.gw.auth.authenticate(token);
      if (!conn.closed) this.gw.hub.authenticate(conn, principal);
    } catch (err) {
      const e = toGatewayError(err);
      this.reportError(e);
      conn.disconnect(e.disconnect === "tooManyConnections" ? "tooManyConnections" : "tokenInvalid");
    }
  }

  private initialize(): unknown {
    // Version negotiation (ACP "Initialization"): the client's version if supported, else the latest
    // supported. livegate supports exactly one, so that is the answer either way.
    return { protocolVersion: PROTOCOL_VERSION, agentCapabilities: AGENT_CAPABILITIES, authMethods: AUTH_METHODS };
  }

  /**
   * `authenticate` with a livegate JWT: first authentication, or a refresh (same user) after
   * `_livegate/auth_required`. A bad token is answered with -32000 and the socket stays open.
   */
  private async authenticate(p: Params<"authenticate">): Promise<unknown> {
    if (p.methodId !== BEARER_METHOD) throw invalidParams(`unknown method "${p.methodId.slice(0, 64)}"; livegate offers "${BEARER_METHOD}"`, "methodId");
    const token = p.token ?? p._meta?.token;
    if (!token) throw invalidParams('a JWT is required: {"methodId":"bearer","token":"<JWT>"}', "token");
    if (this.authPending) await this.authPending;
    const verifying = this.verify(token);
    this.trackAuth(verifying.then(() => undefined));
    const principal = await verifying;
    const expiresAt = principal.expiresAt === undefined ? null : new Date(principal.expiresAt).toISOString();
    return { _meta: { userId: principal.userId, expiresAt } };
  }

  private async verify(token: string): Promise<Principal> {
    const conn = this.connection;
    const principal = await this.gw.auth.authenticate(token);
    try {
      this.gw.hub.authenticate(conn, principal);
    } catch (err) {
      const e = toGatewayError(err);
      // Too many connections: answer first, then close (4003); the reply is sent before this callback runs.
      if (e.disconnect === "tooManyConnections") setImmediate(() => conn.disconnect("tooManyConnections"));
      throw e;
    }
    return principal;
  }

  /** A session is a conversation of the store, owned by the user, so it outlives the socket. */
  private async newSession(p: Params<"session/new">, user: UserId): Promise<{ sessionId: string }> {
    const sessionId = `sess_${randomUUID().replace(/-/g, "")}`;
    await this.gw.store.conversations.create({ id: sessionId, userId: user, title: null, metadata: { dialect: "acp", cwd: p.cwd } });
    return { sessionId };
  }

  /** Replays the stored conversation as `session/update` notifications, then answers `{}`. */
  private async loadSession(p: Params<"session/load">, user: UserId): Promise<Record<string, never>> {
    await this.assertOwned(p.sessionId, user);
    const messages = await this.gw.store.conversations.messages(p.sessionId);
    for (const m of messages) {
      if (m.role === "system" || m.content === "") continue;
      this.update(p.sessionId, m.role === "user" ? "user_message_chunk" : "agent_message_chunk", m.content);
    }
    return {};
  }

  /**
   * Streams the answer as `agent_message_chunk` updates and answers with the stop reason. The prompt is
   * registered before the first await, so a `session/cancel` in the next frame always finds it.
   */
  private async prompt(p: Params<"session/prompt">, user: UserId): Promise<{ stopReason: StopReason }> {
    const query = promptQuery(p.prompt);
    const controller = new AbortController();
    this.prompts.claim(p.sessionId, user, controller);
    this.ownPrompts.add(controller);
    try {
      await this.assertOwned(p.sessionId, user);
      let finish: keyof typeof STOP_REASONS = "stop";
      try {
        for await (const ev of this.gw.chat.stream({ user, query, sessionId: p.sessionId, signal: controller.signal })) {
          // Nobody reads the answer any more: stop the model, but let the service store what it has.
          if (this.connection.closed) controller.abort();
          else if (ev.type === "delta") this.update(p.sessionId, "agent_message_chunk", ev.text);
          else if (ev.type === "done") finish = ev.finishReason;
        }
      } catch (err) {
        // ACP: after session/cancel the answer is `cancelled`, even when cancelling made the provider fail.
        if (controller.signal.aborted) return { stopReason: STOP_REASONS.cancelled };
        throw err;
      }
      return { stopReason: controller.signal.aborted ? STOP_REASONS.cancelled : STOP_REASONS[finish] };
    } finally {
      this.ownPrompts.delete(controller);
      this.prompts.release(p.sessionId, controller);
    }
  }

  /** @throws GatewayError LG_ERR_SESSION_NOT_FOUND for unknown sessions and other users' alike */
  private async assertOwned(sessionId: string, user: UserId): Promise<void> {
    const conversation = await this.gw.store.conversations.get(sessionId);
    if (!conversation || conversation.userId !== user) throw new GatewayError("LG_ERR_SESSION_NOT_FOUND", { session_id: sessionId });
  }
}
