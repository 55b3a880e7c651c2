import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { createAuthenticator, signToken } from "../../../src/core/auth.js";
import { GatewayError } from "../../../src/core/errors.js";

const SECRET = "unit-secret-0123456789abcdef";
const now = () => Math.floor(Date.now() / 1000);

/** Asserts `p` rejects with a GatewayError of `code`. */
async function rejectsWith(p: Promise<unknown>, code: string, what: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof GatewayError, `${what}: expected a GatewayError, got ${String(e)}`);
    assert.equal(e.code, code, `${what}: wrong error code (${e.message})`);
    return true;
  });
}

describe("HS256 authentication", () => {
  const auth = createAuthenticator({ jwtSecret: SECRET });

  it("accepts a valid token and returns its subject, claims and expiry", async () => {
    const token = await signToken(SECRET, "alice", { ttlSec: 60, claims: { channels: ["a:*"] } });
    const p = await auth.authenticate(token);
    assert.equal(p.userId, "alice");
    assert.deepEqual(p.claims.channels, ["a:*"]);
    assert.ok(p.expiresAt && p.expiresAt > Date.now(), "expiresAt is in ms and in the future");
  });

  it("refuses an expired token as expired", async () => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("a").setExpirationTime(now() - 10).sign(new TextEncoder().encode(SECRET));
    await rejectsWith(auth.authenticate(token), "LG_ERR_AUTH_TOKEN_EXPIRED", "expired");
  });

  it("refuses a token that is not yet valid", async () => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("a").setNotBefore(now() + 3600).sign(new TextEncoder().encode(SECRET));
    await rejectsWith(auth.authenticate(token), "LG_ERR_AUTH_TOKEN_INVALID", "nbf");
  });

  it("refuses alg none, another HMAC algorithm, a wrong key and a missing sub", async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const none = `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "a", exp: now() + 60 })}.`;
    await rejectsWith(auth.authenticate(none), "LG_ERR_AUTH_TOKEN_INVALID", "alg none");
    const hs512 = await new SignJWT({}).setProtectedHeader({ alg: "HS512" }).setSubject("a").sign(new TextEncoder().encode(SECRET));
    await rejectsWith(auth.authenticate(hs512), "LG_ERR_AUTH_TOKEN_INVALID", "HS512");
    await rejectsWith(auth.authenticate(await signToken("another-secret-0123456789", "a")), "LG_ERR_AUTH_TOKEN_INVALID", "wrong key");
    const noSub = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(SECRET));
    await rejectsWith(auth.authenticate(noSub), "LG_ERR_AUTH_TOKEN_INVALID", "no sub");
    await rejectsWith(auth.authenticate("not.a.jwt"), "LG_ERR_AUTH_TOKEN_INVALID", "garbage");
  });

  it("checks iss and aud when configured", async () => {
    const strict = createAuthenticator({ jwtSecret: SECRET, issuer: "https://issuer.test", audience: "livegate" });
    const good = await signToken(SECRET, "a", { issuer: "https://issuer.test", audience: "livegate" });
    assert.equal((await strict.authenticate(good)).userId, "a");
    await rejectsWith(strict.authenticate(await signToken(SECRET, "a", { issuer: "https://other.test", audience: "livegate" })), "LG_ERR_AUTH_TOKEN_INVALID", "wrong iss");
    await rejectsWith(strict.authenticate(await signToken(SECRET, "a", { issuer: "https://issuer.test" })), "LG_ERR_AUTH_TOKEN_INVALID", "no aud");
  });
});

describe("public-key authentication", () => {
  it("verifies RS256 with an RSA PEM key and refuses the HS256 key-confusion attack", async () => {
    const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
    const pem = await exportSPKI(publicKey);
    const auth = createAuthenticator({ jwtPublicKey: pem });
    const good = await new SignJWT({}).setProtectedHeader({ alg: "RS256" }).setSubject("rsa-user").setExpirationTime("1h").sign(privateKey);
    assert.equal((await auth.authenticate(good)).userId, "rsa-user");
    // The classic attack: sign HS256 using the public key's PEM text as the HMAC secret.
    const forged = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("attacker").sign(new TextEncoder().encode(pem));
    await rejectsWith(auth.authenticate(forged), "LG_ERR_AUTH_TOKEN_INVALID", "HS256 signed with the public key");
  });

  it("verifies ES256 with an EC P-256 PEM key and refuses RS256 tokens", async () => {
    const ec = await generateKeyPair("ES256", { extractable: true });
    const auth = createAuthenticator({ jwtPublicKey: await exportSPKI(ec.publicKey) });
    const good = await new SignJWT({}).setProtectedHeader({ alg: "ES256" }).setSubject("ec-user").sign(ec.privateKey);
    assert.equal((await auth.authenticate(good)).userId, "ec-user");
    const rsa = await generateKeyPair("RS256");
    const other = await new SignJWT({}).setProtectedHeader({ alg: "RS256" }).setSubject("x").sign(rsa.privateKey);
    await rejectsWith(auth.authenticate(other), "LG_ERR_AUTH_TOKEN_INVALID", "RS256 against an EC key");
  });

  it("rejects an unsupported key type at start-up", async () => {
    const ed = await generateKeyPair("EdDSA", { extractable: true });
    assert.throws(() => createAuthenticator({ jwtPublicKey: "x" }), Error);
    const pem = await exportSPKI(ed.publicKey);
    assert.throws(() => createAuthenticator({ jwtPublicKey: pem }), /unsupported key type/);
  });
});

describe("JWKS authentication", () => {
  let server: Server;
  let url: string;
  let privateKey: CryptoKey;
  before(async () => {
    const pair = await generateKeyPair("RS256", { extractable: true });
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    server = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it("verifies a token signed by a key of the JWKS", async () => {
    const auth = createAuthenticator({ jwksUrl: url });
    const token = await new SignJWT({}).setProtectedHeader({ alg: "RS256", kid: "k1" }).setSubject("jwks-user").setExpirationTime("1h").sign(privateKey);
    assert.equal((await auth.authenticate(token)).userId, "jwks-user");
  });

  it("refuses a token whose kid is not in the JWKS", async () => {
    const auth = createAuthenticator({ jwksUrl: url });
    const other = await generateKeyPair("RS256");
    const token = await new SignJWT({}).setProtectedHeader({ alg: "RS256", kid: "k2" }).setSubject("x").sign(other.privateKey);
    await rejectsWith(auth.authenticate(token), "LG_ERR_AUTH_TOKEN_INVALID", "unknown kid");
  });
});
