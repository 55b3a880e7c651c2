import type { FastifyInstance } from "fastify";
import { pino, type Logger } from "pino";
import { createAuthenticator, signToken, type SignTokenOptions } from "./core/auth.js";
import { Hub } from "./core/hub.js";
import { createMetrics } from "./core/metrics.js";
import { resolveOptions, type GatewayOptions, type GatewayOptionsInput } from "./core/options.js";
import { ChannelPolicy } from "./core/policy.js";
import { resolveCredentials, type ResolvedCredentials } from "./credentials.js";
import { DIALECTS } from "./dialects/registry.js";
import type { Broker } from "./engines/broker/broker.js";
import { MemoryBroker } from "./engines/broker/memory.js";
import { RedisBroker } from "./engines/broker/redis.js";
import { createChatProvider } from "./engines/chat/index.js";
import type { ChatProvider } from "./engines/chat/provider.js";
import { PostgresStore } from "./engines/store/postgres.js";
import { SqliteStore } from "./engines/store/sqlite.js";
import type { Store } from "./engines/store/store.js";
import { createHttpApp } from "./http/app.js";
import { ChatSessionService } from "./services/chat-sessions.js";
import { ChatService } from "./services/chat/service.js";
import { CollectionService } from "./services/collections.js";
import { ConfigService } from "./services/config.js";
import type { AppContext } from "./services/context.js";
import { DocumentService } from "./services/documents.js";
import { FlowService } from "./services/flows.js";
import { JobService } from "./services/jobs.js";
import { KnowledgeService } from "./services/knowledge.js";
import { LibraryUploads } from "./services/library-uploads.js";
import { LibraryService } from "./services/library.js";
import { NotificationService } from "./services/notifications.js";
import { PluginExecutionService } from "./services/plugin-executions.js";
import { TriplesService } from "./services/triples.js";
import { WorkspaceService } from "./services/workspaces.js";
import { TransportServer } from "./transport/server.js";

/** Extra knobs for embedding (not configuration of the gateway itself). */
export interface CreateServerExtras {
  /** Logger to use instead of a new pino logger at `options.logLevel`. */
  logger?: Logger;
  /** Collect Node process metrics in `/metrics` (one gateway per process should). @default false */
  processMetrics?: boolean;
  /**
   * Wraps or replaces the chat provider. Called once, before any socket or route is served, with the
   * provider the gateway built from `options.chat` (the embedded engine, or the OpenAI-compatible client
   * when a base URL is configured); every dialect and REST route that answers chat queries streams from
   * the provider it returns. For instrumentation (timing, logging each delta) or a model client of your
   * own. A wrapper should pass every event through in order and let `return()` reach the inner stream,
   * so cancellation still stops it.
   */
  chatProvider?: (base: ChatProvider) => ChatProvider;
}

/** A running (or ready to run) livegate gateway. */
export interface LivegateServer {
  readonly options: GatewayOptions;
  readonly context: AppContext;
  readonly credentials: ResolvedCredentials;
  readonly http: FastifyInstance;
  /** WebSocket paths served, by dialect. */
  readonly endpoints: readonly { dialect: string; path: string }[];
  /** Starts listening; resolves with the bound main port. */
  listen(): Promise<number>;
  /**
   * The bound ports of dialects' dedicated listeners (e.g. `unacode` with `--unacode-port`), by dialect
   * name; empty before `listen()` and when none is configured.
   */
  readonly dedicatedPorts: ReadonlyMap<string, number>;
  /** Signs a token with the HS256 secret (configured or development). Throws if tokens use a public key. */
  createToken(user: string, opts?: SignTokenOptions): Promise<string>;
  /** Graceful shutdown: stop accepting, say goodbye and close sockets with 1001, close broker and store. */
  close(): Promise<void>;
}

/** How long shutdown waits for sockets to finish closing before it stops waiting. */
const SHUTDOWN_DRAIN_MS = 2000;

/**
 * Builds a gateway: opens the store (running migrations), resolves credentials, starts the broker and
 * hub, and registers every dialect and REST route. Call `listen()` to serve.
 * @throws TypeError for invalid options
 */
export async function createServer(input: GatewayOptionsInput = {}, extras: CreateServerExtras = {}): Promise<LivegateServer> {
  const options = resolveOptions(input);
  const log = extras.logger ?? pino({ level: options.logLevel, base: { service: "livegate" } });
  const store: Store =
    options.store.engine === "postgres"
      ? await PostgresStore.open({ url: options.store.postgresUrl, poolSize: options.store.poolSize, schema: options.store.postgresSchema })
      : await SqliteStore.open(options.dataDir);
  const credentials = await resolveCredentials(options, store);
  const broker: Broker =
    options.broker.engine === "redis"
      ? new RedisBroker(options.history, {
          url: options.broker.redisUrl,
          keyPrefix: options.broker.keyPrefix,
          onError: (err) => log.warn({ err }, "redis connection error"),
        })
      : new MemoryBroker(options.history);
  const metrics = createMetrics(extras.processMetrics ?? false);
  const hub = new Hub(broker, options, log, metrics);
  const auth = createAuthenticator({ ...options.auth, jwtSecret: credentials.jwtSecret });
  const policy = new ChannelPolicy();
  const documents = new DocumentService(store.documents);
  await documents.load();
  const baseProvider = await createChatProvider(options.chat, documents);
  const chat = new ChatService(extras.chatProvider ? extras.chatProvider(baseProvider) : baseProvider, store.conversations, options.chat);
  const config = new ConfigService(store.config);
  const flows = new FlowService(config);
  await flows.ensureDefaults();
  const triples = new TriplesService(store.triples);
  const library = new LibraryService(documents, store.processing, store.collections, triples);
  const context: AppContext = {
    options,
    hub,
    broker,
    store,
    auth,
    policy,
    log,
    metrics,
    apiKey: credentials.apiKey,
    jobs: new JobService(store.jobs, broker, policy),
    notifications: new NotificationService(store.notifications, broker),
    documents,
    chat,
    sessions: new ChatSessionService(store.chatSessions, store.conversations, broker, chat, policy),
    workspaces: new WorkspaceService(store.workspaces, broker, policy),
    pluginExecutions: new PluginExecutionService(store.pluginExecutions, broker),
    triples,
    library,
    libraryUploads: new LibraryUploads(store.uploads, library),
    collections: new CollectionService(store.collections, triples, library),
    knowledge: new KnowledgeService(store.knowledgeCores, triples, store.collections),
    config,
    flows,
  };
  try {
    await hub.start();
  } catch (err) {
    await broker.close().catch(() => undefined);
    await store.close();
    throw err;
  }
  const { app, handler } = await createHttpApp(context);
  const dialects = DIALECTS.map((make) => make(context));
  const transport = new TransportServer({
    host: options.host,
    port: options.port,
    maxFrameBytes: options.limits.maxFrameBytes,
    dialects,
    requestHandler: handler,
    hub,
    metrics,
    log,
  });

  let closing: Promise<void> | undefined;
  const shutdown = async (): Promise<void> => {
    const stopAccepting = transport.close();
    hub.disconnectAll("shutdown");
    const deadline = Date.now() + SHUTDOWN_DRAIN_MS;
    while (hub.connectionCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    hub.stop();
    await stopAccepting;
    await app.close();
    await broker.close();
    await store.close();
  };

  return {
    options,
    context,
    credentials,
    http: app,
    endpoints: dialects.flatMap((d) => d.routes.map((path) => ({ dialect: d.name, path }))),
    listen: () => transport.listen(),
    get dedicatedPorts() {
      return transport.dedicatedPorts;
    },
    async createToken(user, opts) {
      if (!credentials.jwtSecret) throw new Error("tokens are verified with a public key: sign them with your issuer");
      return signToken(credentials.jwtSecret, user, { issuer: options.auth.issuer, audience: options.auth.audience, ...opts });
    },
    close: () => (closing ??= shutdown()),
  };
}
