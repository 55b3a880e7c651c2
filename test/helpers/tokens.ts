import { createHmac } from "node:crypto";
import { generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { TEST_SECRET } from "./gateway.js";

const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");
const nowSec = (): number => Math.floor(Date.now() / 1000);

/** Standard claims for a token valid for an hour, for `sub` (omitted when undefined). */
export function claimsFor(sub: string | undefined, extra: JWTPayload = {}): JWTPayload {
  return { ...(sub === undefined ? {} : { sub }), iat: nowSec(), exp: nowSec() + 3600, ...extra };
}

/** An HMAC token (HS256/HS384/HS512) signed by jose with `secret` (the gateway's own by default). */
export function hmacToken(payload: JWTPayload, alg: "HS256" | "HS384" | "HS512" = "HS256", secret = TEST_SECRET): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg, typ: "JWT" }).sign(new TextEncoder().encode(secret));
}

/** An RS256 token signed with a freshly generated RSA key the gateway does not know. */
export async function rs256Token(payload: JWTPayload): Promise<string> {
  const { privateKey } = await generateKeyPair("RS256");
  return new SignJWT(payload).setProtectedHeader({ alg: "RS256", typ: "JWT" }).sign(privateKey);
}

/** A hand-made unsecured JWT: header `{"alg":"none"}` and an empty signature. */
export function algNoneToken(payload: JWTPayload): string {
  return `${b64url({ alg: "none", typ: "JWT" })}.${b64url(payload)}.`;
}

/**
 * A hand-made token whose header claims `alg` but whose signature is HMAC-SHA256 with `secret`:
 * the classic algorithm-confusion forgery (e.g. an RS256 header over an HMAC signature).
 */
export function forgedHeaderToken(payload: JWTPayload, alg: string, secret = TEST_SECRET): string {
  const signingInput = `${b64url({ alg, typ: "JWT" })}.${b64url(payload)}`;
  const sig = createHmac("sha256", secret).update(signingInput).digest("base64url");
  return `${signingInput}.${sig}`;
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true or `timeoutMs` passes; returns the last result. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 2000, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}
