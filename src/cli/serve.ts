import { parseArgs } from "node:util";
import { createServer, type LivegateServer } from "../index.js";
import { optionsFrom, SETTINGS } from "./settings.js";

/** Development token lifetime printed in the banner. */
const BANNER_TOKEN_TTL_SEC = 24 * 3600;

function usage(): string {
  const rows = SETTINGS.map((s) => `  --${s.flag.padEnd(26)} ${s.env.join(", ").padEnd(36)} ${s.help}`);
  return ["usage: livegate serve [flags]", "", "  flag                         env var                              meaning", ...rows].join("\n");
}

async function banner(server: LivegateServer, port: number): Promise<string> {
  const { options, credentials } = server;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  const base = `${host}:${port}`;
  const lines = [`livegate listening on http://${base}${options.host === "localhost" ? " (127.0.0.1 and ::1)" : ""}`, ""];
  for (const e of server.endpoints) lines.push(`  ws://${base}${e.path.padEnd(28)} ${e.dialect}`);
  for (const [dialect, p] of server.dedicatedPorts) lines.push(`  ${`ws://${host}:${p}/`.padEnd(base.length + 33)} ${dialect} (its own port, any path)`);
  lines.push(
    `  POST http://${base}/api/v1/publish          publish (API key)`,
    `  POST http://${base}/api/v1/publish/batch    publish many (API key)`,
    `  GET  http://${base}/api/v1/channels/{channel}/history (API key)`,
    `  GET  http://${base}/healthz  /readyz  /metrics`,
    "",
    `  data dir: ${options.dataDir}`,
  );
  if (credentials.jwtSecret) {
    const token = await server.createToken("dev", { ttlSec: BANNER_TOKEN_TTL_SEC });
    lines.push(`  development token (user "dev", 24 h): ${token}`, `  more: npx livegate token --user alice --data-dir ${options.dataDir}`);
  }
  if (credentials.devJwtSecret) lines.push("  JWT secret: generated for development (set LIVEGATE_JWT_SECRET in production)");
  lines.push(`  API key${credentials.devApiKey ? " (generated for development; set LIVEGATE_API_KEY)" : ""}: ${credentials.devApiKey ? server.context.apiKey : "from LIVEGATE_API_KEY"}`);
  return lines.join("\n");
}

/** `livegate serve`: runs the gateway until SIGTERM/SIGINT, then shuts down gracefully. */
export async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: "boolean", short: "h" },
      ...Object.fromEntries(SETTINGS.map((s) => [s.flag, { type: "string" as const }])),
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage());
    return;
  }
  const flags = values as Record<string, string | undefined>;
  const server = await createServer(optionsFrom(process.env, flags), { processMetrics: true });
  const port = await server.listen();
  console.log(await banner(server, port));

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      console.error(`livegate: ${signal} again, exiting now`);
      process.exit(1);
    }
    stopping = true;
    console.error(`livegate: ${signal}, shutting down`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error("livegate: shutdown failed", err);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}
