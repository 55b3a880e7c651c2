// What the benchmarks read about the machine and their processes (Linux /proc), and the wait for a quiet
// machine before measuring. Shared by bench/fanout and bench/chat.
import { readFileSync } from 'node:fs';
import { sleep } from './util.mjs';

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

/** User+system CPU time of a process in seconds (clock ticks assumed to be 100 Hz, Linux default). */
export function readCpuSeconds(pid) {
  const t = readCpuTimes(pid);
  return t.user + t.system;
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

/**
 * Scheduler statistics of a process's main thread (/proc/<pid>/schedstat): seconds on a CPU, seconds
 * runnable but waiting for a CPU (run-queue wait), and timeslices run.
 */
export function readSchedstat(pid) {
  try {
    const [run, wait, slices] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return { runSeconds: run / 1e9, waitSeconds: wait / 1e9, slices };
  } catch {
    return { runSeconds: NaN, waitSeconds: NaN, slices: NaN };
  }
}

/** Waits until the whole machine used < pct% of its CPUs over a 1 s window (or gives up after timeoutMs). */
export async function waitForQuiet(timeoutMs, pct) {
  const t0 = Date.now();
  let last = NaN;
  let announced = false;
  while (true) {
    const a = readSystemCpu();
    await sleep(1000);
    const b = readSystemCpu();
    const busy = b.busy + b.softirq + b.irq - (a.busy + a.softirq + a.irq);
    const total = busy + (b.idle - a.idle);
    last = total > 0 ? (100 * busy) / total : NaN;
    if (!(last >= pct)) return { quiet: true, waitedMs: Date.now() - t0, busyPct: last };
    if (Date.now() - t0 > timeoutMs) {
      console.warn(`  machine still busy (${last.toFixed(0)}% CPU) after ${timeoutMs} ms: measuring anyway, run marked noisy`);
      return { quiet: false, waitedMs: Date.now() - t0, busyPct: last };
    }
    if (!announced && Date.now() - t0 > 3000) {
      announced = true;
      console.warn(`  waiting for other processes to go idle (${last.toFixed(0)}% of all CPUs busy)…`);
    }
  }
}
