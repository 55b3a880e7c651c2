import { KnowledgeError } from "../../../services/knowledge-error.js";
import { DEFAULT_COLLECTION } from "../../../services/triples.js";
import { TgError, type TgBody, type TgCall, type TgReplies } from "../service.js";

/**
 * Request fields shared by the knowledge handlers (librarian, collection-management, knowledge,
 * triples, text-load, document-load), and how their services' refusals reach the client.
 */

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The user a request acts for: `user` of the request (the seed era's clients send it), else the
 * caller: the token's subject, or `trustgraph` for an anonymous or gateway-secret caller.
 */
export function userOf(call: TgCall, from: TgBody = call.request): string {
  const u = from.user;
  if (u !== undefined && u !== null && u !== "") {
    if (typeof u !== "string") throw new TgError("invalid-request", `"user" must be a string`);
    return u;
  }
  return call.principal.userId;
}

/** `collection` of a body, TrustGraph's `default` when absent or empty. */
export function collectionIn(body: TgBody, key = "collection"): string {
  const c = body[key];
  if (c === undefined || c === null || c === "") return DEFAULT_COLLECTION;
  if (typeof c !== "string") throw new TgError("invalid-request", `"${key}" must be a string`);
  return c;
}

/** An optional string (absent or null → undefined). */
export function maybeString(body: TgBody, key: string, path = key): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new TgError("invalid-request", `"${path}" must be a string`);
  return v;
}

/** An optional list of strings (tags). */
export function maybeStrings(body: TgBody, key: string, path = key): string[] | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) throw new TgError("invalid-request", `"${path}" must be an array of strings`);
  return v as string[];
}

/** An optional number (times): absent or null → undefined. */
export function maybeNumber(body: TgBody, key: string, path = key): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new TgError("invalid-request", `"${path}" must be a number`);
  return v;
}

/** An optional non-negative integer with a default (limits, batch sizes); numeric strings are read too. */
export function countIn(body: TgBody, key: string, def: number): number {
  const v = body[key];
  if (v === undefined || v === null) return def;
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw new TgError("invalid-request", `"${key}" must be a non-negative integer`);
  return n;
}

/** A required JSON object. */
export function requiredObject(body: TgBody, key: string): Record<string, unknown> {
  const v = body[key];
  if (!isObject(v)) throw new TgError("invalid-request", `"${key}" is required (a JSON object)`);
  return v;
}

/** An optional JSON object (absent or null → undefined). */
export function maybeObject(body: TgBody, key: string, path = key): Record<string, unknown> | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new TgError("invalid-request", `"${path}" must be a JSON object`);
  return v;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Strict base64 (whitespace ignored, padding optional): the bytes, or invalid-request naming `key`.
 * Node's own decoder skips bad characters silently, which would store garbage.
 */
export function base64Bytes(value: unknown, key: string): Buffer {
  if (typeof value !== "string") throw new TgError("invalid-request", `"${key}" is required (base64 text)`);
  const s = value.replace(/\s+/g, "");
  if (!BASE64.test(s) || s.length % 4 === 1 || /=[^=]/.test(s)) throw new TgError("invalid-request", `"${key}" is not valid base64`);
  return Buffer.from(s, "base64");
}

/** A service refusal as the client's error: KnowledgeError → `invalid-request` / `not-found`. */
export function tgError(err: unknown): unknown {
  if (err instanceof KnowledgeError) return new TgError(err.kind === "notFound" ? "not-found" : "invalid-request", err.message);
  return err;
}

/** Runs a handler, turning the knowledge services' refusals into TrustGraph errors. */
export async function* knowledgeReplies(replies: TgReplies): TgReplies {
  try {
    yield* replies;
  } catch (err) {
    throw tgError(err);
  }
}
