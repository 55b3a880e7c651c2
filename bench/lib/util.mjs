// Small helpers shared by the benchmarks (no dependencies beyond node: builtins).
import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';

const TIME_ORIGIN = performance.timeOrigin;

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes (timeOrigin + now()). */
export const nowMs = () => TIME_ORIGIN + performance.now();

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/** HS256 JWT, signed with node:crypto. */
export function signJwt(claims, secret) {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify(claims));
  const sig = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Nearest-rank percentile of an ascending-sorted typed array. */
export function percentileSorted(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}
