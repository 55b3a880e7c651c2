import { TgError, type TgBody } from "./service.js";

/**
 * Reading TrustGraph request fields: a missing or mistyped field is an `invalid-request` naming it.
 * Shared by the handlers of the global services.
 */

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The request's `operation`. */
export function operationOf(req: TgBody): string {
  const op = req.operation;
  if (typeof op !== "string" || op === "") throw new TgError("invalid-request", `"operation" is required (a string)`);
  return op;
}

/** The error for an operation the service does not have, listing the ones it has. */
export const unknownOperation = (service: string, op: string, known: readonly string[]): TgError =>
  new TgError("invalid-request", `unknown ${service} operation "${op}"; one of: ${known.join(", ")}`);

/** A required non-empty string field. */
export function requiredString(req: TgBody, key: string): string {
  const v = req[key];
  if (typeof v !== "string" || v === "") throw new TgError("invalid-request", `"${key}" is required (a non-empty string)`);
  return v;
}

/** An optional string field (absent or null → `def`). */
export function optionalString(req: TgBody, key: string, def: string): string {
  const v = req[key];
  if (v === undefined || v === null) return def;
  if (typeof v !== "string") throw new TgError("invalid-request", `"${key}" must be a string`);
  return v;
}

/** An optional JSON object field (absent or null → `{}`). */
export function optionalObject(req: TgBody, key: string): Record<string, unknown> {
  const v = req[key];
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new TgError("invalid-request", `"${key}" must be a JSON object`);
  return v;
}

/** A required array of objects; each item checked by `item` (given the item's path for messages). */
export function objectList<T>(req: TgBody, key: string, item: (o: Record<string, unknown>, path: string) => T): T[] {
  const v = req[key];
  if (!Array.isArray(v)) throw new TgError("invalid-request", `"${key}" is required (an array)`);
  return v.map((o, i) => {
    if (!isObject(o)) throw new TgError("invalid-request", `"${key}[${i}]" must be a JSON object`);
    return item(o, `${key}[${i}]`);
  });
}

/** A string property of a list item. */
export function itemString(o: Record<string, unknown>, path: string, key: string): string {
  const v = o[key];
  if (typeof v !== "string" || v === "") throw new TgError("invalid-request", `"${path}.${key}" is required (a non-empty string)`);
  return v;
}
