import { createPublicKey, type KeyObject } from "node:crypto";
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, SignJWT, type JWTVerifyGetKey } from "jose";
import { GatewayError } from "./errors.js";
import type { Principal, UserId } from "./types.js";

/** How tokens are verified. Exactly one key source must be given. */
export interface AuthenticatorOptions {
  jwtSecret?: string | undefined;
  jwtPublicKey?: string | undefined;
  jwksUrl?: string | undefined;
  issuer?: string | undefined;
  audience?: string | undefined;
}

/** Verifies tokens; knows nothing of dialects. */
export interface Authenticator {
  /**
   * Verifies a JWT and returns its principal.
   * @throws GatewayError LG_ERR_AUTH_TOKEN_EXPIRED or LG_ERR_AUTH_TOKEN_INVALID
   */
  authenticate(token: string): Promise<Principal>;
}

type Key = Uint8Array | KeyObject | JWTVerifyGetKey;

/** Picks the only algorithm a PEM key may verify, so an RSA key can never be used as an HMAC secret. */
function algorithmsForPublicKey(key: KeyObject): string[] {
  const type = key.asymmetricKeyType;
  if (type === "rsa") return ["RS256"];
  if (type === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") return ["ES256"];
  throw new TypeError(`invalid livegate options: auth.jwtPublicKey: unsupported key type ${String(type)} (use RSA or EC P-256)`);
}

/** Builds the authenticator for the configured key source. Algorithms are pinned per key type. */
export function createAuthenticator(opts: AuthenticatorOptions): Authenticator {
  let key: Key;
  let algorithms: string[];
  if (opts.jwtSecret) {
    key = new TextEncoder().encode(opts.jwtSecret);
    algorithms = ["HS256"];
  } else if (opts.jwtPublicKey) {
    const publicKey = createPublicKey(opts.jwtPublicKey);
    key = publicKey;
    algorithms = algorithmsForPublicKey(publicKey);
  } else if (opts.jwksUrl) {
    key = createRemoteJWKSet(new URL(opts.jwksUrl));
    algorithms = ["RS256", "ES256"];
  } else {
    throw new TypeError("invalid livegate options: auth needs jwtSecret, jwtPublicKey or jwksUrl");
  }
  const verifyOptions = {
    algorithms,
    ...(opts.issuer ? { issuer: opts.issuer } : {}),
    ...(opts.audience ? { audience: opts.audience } : {}),
  };

  return {
    async authenticate(token: string): Promise<Principal> {
      try {
        const { payload } =
          typeof key === "function" ? await jwtVerify(token, key, verifyOptions) : await jwtVerify(token, key, verifyOptions);
        if (typeof payload.sub !== "string" || payload.sub.length === 0) {
          throw new GatewayError("LG_ERR_AUTH_TOKEN_INVALID", { detail: "no \"sub\" claim" });
        }
        const principal: Principal = { userId: payload.sub, claims: payload };
        if (typeof payload.exp === "number") principal.expiresAt = payload.exp * 1000;
        return principal;
      } catch (err) {
        if (err instanceof GatewayError) throw err;
        if (err instanceof joseErrors.JWTExpired) throw new GatewayError("LG_ERR_AUTH_TOKEN_EXPIRED", {}, { cause: err });
        const detail = err instanceof Error ? err.message : String(err);
        throw new GatewayError("LG_ERR_AUTH_TOKEN_INVALID", { detail }, { cause: err });
      }
    },
  };
}

/** Options for {@link signToken}. */
export interface SignTokenOptions {
  /** Lifetime in seconds. @default 86400 */
  ttlSec?: number;
  /** Extra claims, e.g. `{ channels: ["conversation:*"], publish: ["public:*"] }`. */
  claims?: Record<string, unknown>;
  issuer?: string | undefined;
  audience?: string | undefined;
}

/** Signs an HS256 token for `user` (the development secret, the CLI's `token` command, tests). */
export async function signToken(secret: string, user: UserId, opts: SignTokenOptions = {}): Promise<string> {
  const jwt = new SignJWT({ ...opts.claims })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(user)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (opts.ttlSec ?? 86_400));
  if (opts.issuer) jwt.setIssuer(opts.issuer);
  if (opts.audience) jwt.setAudience(opts.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
