// Shared helpers for the fan-out benchmark (no dependencies beyond node: builtins).
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export const nowMs = () => performance.timeOrigin + performance.now();

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

/** VmRSS of a process in bytes, or NaN when it cannot be read. */
export function readRssBytes(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** User+system CPU time of a process in seconds (clock ticks assumed to be 100 Hz, Linux default). */
export function readCpuSeconds(pid) {
  const t = readCpuTimes(pid);
  return t.user + t.system;
}

/** {user, system} CPU seconds of a process from /proc/<pid>/stat (100 Hz clock ticks). */
export function readCpuTimes(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after the closing paren are space-separated.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime is field 14, stime field 15.
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
  } catch {
    return { user: NaN, system: NaN };
  }
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

/**
 * The ~N-byte publication payload. Its JSON serialization is exactly `bytes` long
 * (as long as `bytes` leaves room for the fixed fields).
 */
export function makePayload(seq, bytes) {
  const data = { seq, ts: nowMs(), pad: '' };
  const base = JSON.stringify(data).length;
  data.pad = 'x'.repeat(Math.max(0, bytes - base));
  return data;
}

/**
 * Machine-wide CPU seconds from /proc/stat (all CPUs; USER_HZ = 100): `busy` is user+nice+system,
 * `softirq`/`irq`/`steal` are separate, since the kernel does not charge them to any process.
 */
export function readSystemCpu() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return { busy: (user + nice + system) / 100, idle: (idle + iowait) / 100, irq: irq / 100, softirq: softirq / 100, steal: steal / 100 };
  } catch {
    return { busy: NaN, idle: NaN, irq: NaN, softirq: NaN, steal: NaN };
  }
}
