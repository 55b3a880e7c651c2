import { randomBytes } from "node:crypto";
import type { Store } from "./engines/store/store.js";
import type { GatewayOptions } from "./core/options.js";

/** The secrets a gateway runs with, and which of them are development values made on first start. */
export interface ResolvedCredentials {
  /** HS256 secret, when tokens are verified with one (configured or generated). */
  jwtSecret: string | undefined;
  apiKey: string;
  /** True when the JWT secret was generated (no key source configured). */
  devJwtSecret: boolean;
  /** True when the API key was generated (none configured). */
  devApiKey: boolean;
}

/**
 * Configured secrets win; otherwise a development secret and API key are generated once and kept in the
 * store, so tokens stay valid across restarts (and nodes sharing a database share them).
 */
export async function resolveCredentials(options: GatewayOptions, store: Store): Promise<ResolvedCredentials> {
  const a = options.auth;
  const hasKeySource = Boolean(a.jwtSecret || a.jwtPublicKey || a.jwksUrl);
  const jwtSecret = hasKeySource ? a.jwtSecret : await store.settings.getOrCreate("dev_jwt_secret", randomBytes(32).toString("base64url"));
  const apiKey = a.apiKey ?? (await store.settings.getOrCreate("dev_api_key", `lg_dev_${randomBytes(24).toString("base64url")}`));
  return { jwtSecret, apiKey, devJwtSecret: !hasKeySource, devApiKey: !a.apiKey };
}
