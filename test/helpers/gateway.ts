import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type GatewayOptionsInput, type LivegateServer, type SignTokenOptions } from "../../src/index.js";

/** A gateway on a free port with a fresh data dir, for one test file or test. */
export interface TestGateway {
  readonly server: LivegateServer;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly apiKey: string;
  readonly secret: string;
  readonly dataDir: string;
  /** `ws://127.0.0.1:<port><path>?<query>` */
  wsUrl(path?: string, query?: Record<string, string>): string;
  /** HS256 token for `user` signed with the gateway's secret. */
  token(user: string, opts?: SignTokenOptions): Promise<string>;
  /** POST /api/v1/publish with the API key; throws on a non-200 answer. */
  publish(channel: string, data: unknown, type?: string): Promise<{ channel: string; epoch: string; offset: number }>;
  /** fetch() against the gateway with the API key unless `headers.authorization` is given. */
  api(path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

export const TEST_SECRET = "test-secret-0123456789abcdefghijklmnop";
export const TEST_API_KEY = "test-api-key-0123456789";

/** Starts a gateway on 127.0.0.1, port 0, silent logs; `options` override the test defaults. */
export async function startTestGateway(options: GatewayOptionsInput = {}): Promise<TestGateway> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "livegate-test-")));
  const server = await createServer({
    host: "127.0.0.1",
    logLevel: "silent",
    ...options,
    port: options.port ?? 0,
    dataDir,
    auth: { jwtSecret: TEST_SECRET, apiKey: TEST_API_KEY, ...options.auth },
  });
  const port = await server.listen();
  const url = `http://127.0.0.1:${port}`;
  const api: TestGateway["api"] = (path, init = {}) =>
    fetch(url + path, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: {
        authorization: `Bearer ${TEST_API_KEY}`,
        ...(init.body === undefined ? {} : { "content-type": "application/json" }),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) }),
    });
  return {
    server,
    port,
    url,
    apiKey: TEST_API_KEY,
    secret: options.auth?.jwtSecret ?? TEST_SECRET,
    dataDir,
    wsUrl(path = "/ws", query = {}) {
      const qs = new URLSearchParams(query).toString();
      return `ws://127.0.0.1:${port}${path}${qs ? `?${qs}` : ""}`;
    },
    token: (user, opts) => server.createToken(user, opts),
    api,
    async publish(channel, data, type) {
      const res = await api("/api/v1/publish", { body: { channel, data, ...(type ? { type } : {}) } });
      const body = (await res.json()) as { channel: string; epoch: string; offset: number };
      if (res.status !== 200) throw new Error(`publish to ${channel} failed: ${res.status} ${JSON.stringify(body)}`);
      return body;
    },
    async close() {
      await server.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
