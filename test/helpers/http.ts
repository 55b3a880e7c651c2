import assert from "node:assert/strict";

/** Reads a JSON answer and asserts its status; the assertion message carries the body. */
export async function expectJson<T = Record<string, unknown>>(res: Response, status: number, what: string): Promise<T> {
  const text = await res.text();
  assert.equal(res.status, status, `${what}: status should be ${status}, got ${res.status} ${text}`);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/, `${what}: the answer should be JSON: ${text}`);
  return JSON.parse(text) as T;
}

/** Asserts a JSON error answer `{"error":{"code","message"}}` with `status` and `code`; returns the message. */
export async function expectJsonError(res: Response, status: number, code: string, what: string): Promise<string> {
  const body = await expectJson<{ error?: { code?: unknown; message?: unknown } }>(res, status, what);
  assert.equal(body.error?.code, code, `${what}: error.code should be ${code}, got ${JSON.stringify(body)}`);
  assert.equal(typeof body.error?.message, "string", `${what}: error.message should be a string`);
  assert.ok((body.error?.message as string).length > 0, `${what}: error.message should not be empty`);
  return body.error?.message as string;
}

/** An ISO 8601 UTC time within a minute of now. */
export function assertRecentIso(value: unknown, what: string): void {
  assert.match(String(value), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, `${what} should be ISO 8601 UTC: ${String(value)}`);
  assert.ok(Math.abs(Date.parse(String(value)) - Date.now()) < 60_000, `${what} should be about now: ${String(value)}`);
}
