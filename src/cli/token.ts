import { parseArgs } from "node:util";
import { resolveOptions } from "../core/options.js";
import { signToken } from "../core/auth.js";
import { resolveCredentials } from "../credentials.js";
import { SqliteStore } from "../engines/store/sqlite.js";
import { optionsFrom } from "./settings.js";

const USAGE = `usage: livegate token --user USER [--ttl SECONDS] [--claims JSON] [--data-dir DIR] [--json]
Signs an HS256 token with LIVEGATE_JWT_SECRET, or with the development secret kept in the data dir.
  --claims '{"channels":["conversation:*"],"publish":["public:*"]}'`;

/** `livegate token`: prints a signed token for a user. */
export async function token(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      user: { type: "string", short: "u" },
      ttl: { type: "string" },
      claims: { type: "string" },
      "data-dir": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help || !values.user) {
    console.log(USAGE);
    if (!values.help) process.exitCode = 2;
    return;
  }
  const ttlSec = values.ttl === undefined ? 86_400 : Number(values.ttl);
  if (!Number.isInteger(ttlSec) || ttlSec <= 0) throw new TypeError(`--ttl: expected a positive integer, got "${values.ttl}"`);
  let claims: Record<string, unknown> = {};
  if (values.claims) {
    const parsed: unknown = JSON.parse(values.claims);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new TypeError("--claims: expected a JSON object");
    claims = parsed as Record<string, unknown>;
  }
  const options = resolveOptions(optionsFrom(process.env, { "data-dir": values["data-dir"] }));
  const store = await SqliteStore.open(options.dataDir);
  try {
    const { jwtSecret } = await resolveCredentials(options, store);
    if (!jwtSecret) throw new Error("tokens are verified with a public key or JWKS here: sign them with your issuer");
    const jwt = await signToken(jwtSecret, values.user, { ttlSec, claims, issuer: options.auth.issuer, audience: options.auth.audience });
    console.log(values.json ? JSON.stringify({ token: jwt, user: values.user, expires_in: ttlSec }) : jwt);
  } finally {
    await store.close();
  }
}
