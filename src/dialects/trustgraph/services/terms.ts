import type { TermKind, TermPattern, TermRecord, TripleRecord } from "../../../services/triples.js";
import { TgError } from "../service.js";

/**
 * TrustGraph's RDF terms on the wire. Two encodings exist: the seed era's `{"v": value, "e": isUri}`
 * and v2's `{"t": "i", "i": iri}`, `{"t": "l", "v": text, "dt"?, "ln"?}`, `{"t": "b", "d": id}`.
 * Both are read; livegate writes the seed-era form (blank nodes as `{"v": id, "e": false}`; a literal's
 * datatype and language are not kept). Quoted triples (`"t": "t"`) are refused.
 */
export type WireTerm = { v: string; e: boolean };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A term of a request. `e` missing in the seed form leaves the kind open (a query then matches the value
 * whatever its kind); in stored data it means a literal.
 * @throws TgError invalid-request naming `path`
 */
export function termOf(v: unknown, path: string): TermPattern {
  if (!isObject(v)) throw new TgError("invalid-request", `"${path}" must be a term: {"v": value, "e": is-uri} or {"t": "i"|"l"|"b", …}`);
  if (typeof v.t === "string") {
    const kind = v.t;
    const value = kind === "i" ? v.i : kind === "l" ? v.v : kind === "b" ? v.d : undefined;
    if (kind === "t") throw new TgError("invalid-request", `"${path}": quoted triples (t = "t") are not supported`);
    if (typeof value !== "string") {
      throw new TgError("invalid-request", `"${path}": a term of type "${kind}" needs its value (${kind === "i" ? '"i"' : kind === "l" ? '"v"' : kind === "b" ? '"d"' : "t is one of i, l, b"})`);
    }
    return { value, kind: kind as TermKind };
  }
  if (typeof v.v !== "string") throw new TgError("invalid-request", `"${path}.v" is required (a string)`);
  if (v.e !== undefined && typeof v.e !== "boolean") throw new TgError("invalid-request", `"${path}.e" must be true (a URI) or false (a literal)`);
  return v.e === undefined ? { value: v.v } : { value: v.v, kind: v.e ? "i" : "l" };
}

/** A term of stored data: a seed-form term without `e` is a literal. */
export function storedTermOf(v: unknown, path: string): TermRecord {
  const t = termOf(v, path);
  return { value: t.value, kind: t.kind ?? "l" };
}

/** A term as livegate writes it (the seed-era form). */
export const wireTerm = (t: TermRecord): WireTerm => ({ v: t.value, e: t.kind === "i" });

/** A triple as livegate writes it. */
export const wireTriple = (t: TripleRecord): { s: WireTerm; p: WireTerm; o: WireTerm } => ({ s: wireTerm(t.s), p: wireTerm(t.p), o: wireTerm(t.o) });

/**
 * A list of triples `[{s, p, o}]` of stored data (a core's triples, document metadata).
 * @throws TgError invalid-request naming the bad item
 */
export function triplesOf(v: unknown, path: string): TripleRecord[] {
  if (!Array.isArray(v)) throw new TgError("invalid-request", `"${path}" must be an array of triples {s, p, o}`);
  return v.map((t, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(t)) throw new TgError("invalid-request", `"${at}" must be a triple {s, p, o}`);
    for (const k of ["s", "p", "o"] as const) if (t[k] === undefined) throw new TgError("invalid-request", `"${at}.${k}" is required`);
    return { s: storedTermOf(t.s, `${at}.s`), p: storedTermOf(t.p, `${at}.p`), o: storedTermOf(t.o, `${at}.o`) };
  });
}
