#!/usr/bin/env node
// Fan-out benchmark: livegate `/ws` vs a plain `ws` broadcaster vs Socket.IO 4, same workload, one run.
//
//   node bench/fanout/run.mjs                 # 5,000 connections × 200 publications × 3 runs
//   node bench/fanout/run.mjs --smoke         # 200 × 20 × 1, exits non-zero on any loss
//   node bench/fanout/run.mjs --help
//
// Each server runs in its own child process (started with --expose-gc and a preload that runs a full GC on
// SIGUSR2, identically for all three); the connections live in separate load-generator child processes;
// this process posts the publications over HTTP, one after another, each awaiting its response.
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  freePort,
  makePayload,
  median,
  nowMs,
  percentileSorted,
  readCpuTimes,
  readSystemCpu,
  readRssBytes,
  sleep,
  waitForQuiet,
} from './lib.mjs';
import { parseFlags as parseFlagsWith } from '../lib/flags.mjs';
import { fmtInt, table } from '../lib/report.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const LIVEGATE_MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const GC_HOOK = pathToFileURL(join(HERE, 'gc-hook.mjs')).href;
const JWT_SECRET = 'fanout-bench-secret-0123456789abcdef-0123456789';
const API_KEY = 'fanout-bench-api-key';
const NCPU = cpus().length;
const LABEL = { ws: 'plain ws', sio: 'socket.io', livegate: 'livegate', 'ws-buf': 'ws (Buffer)' };

// ---------------------------------------------------------------------------------------------- flags
const DEFAULTS = {
  conns: 5000,
  pubs: 200,
  payloadBytes: 100,
  runs: 3,
  clientProcs: 2,
  batch: 250,
  settleMs: 3000,
  drainTimeoutMs: 30000,
  quietTimeoutMs: 180000,
  quietCpuPct: 5,
  servers: 'ws,sio,livegate',
  cpuProf: false,
  pin: false,
  out: '',
  verbose: false,
};
const SMOKE = { conns: 200, pubs: 20, runs: 1, clientProcs: 1, settleMs: 500, drainTimeoutMs: 5000, quietTimeoutMs: 0 };

function usage() {
  return `usage: node bench/fanout/run.mjs [flags]
  --conns N            subscribed connections per server            (default ${DEFAULTS.conns})
  --pubs N             publications, posted sequentially over HTTP  (default ${DEFAULTS.pubs})
  --payload-bytes N    JSON size of each publication's data         (default ${DEFAULTS.payloadBytes})
  --runs N             repetitions, interleaved across servers      (default ${DEFAULTS.runs})
  --client-procs N     load-generator processes                     (default ${DEFAULTS.clientProcs})
  --batch N            connections opened concurrently per process  (default ${DEFAULTS.batch})
  --settle-ms N        idle wait before each RSS reading            (default ${DEFAULTS.settleMs})
  --drain-timeout-ms N give up waiting for deliveries after N ms without progress (default ${DEFAULTS.drainTimeoutMs})
  --quiet-timeout-ms N before each publish phase, wait up to N ms for the machine to be idle
                       (other processes below --quiet-cpu-pct of all CPUs over 1 s); 0 = don't wait
                       (default ${DEFAULTS.quietTimeoutMs}; --smoke: 0)
  --quiet-cpu-pct N    idle threshold for the wait above          (default ${DEFAULTS.quietCpuPct})
  --servers LIST       comma-separated subset/order of ws,sio,livegate (default ${DEFAULTS.servers});
                       also ws-buf: the plain ws server sending a Buffer encoded once per publication
  --cpu-prof           run the servers with --cpu-prof (profiles in bench/results/cpu-prof/)
  --pin                pin the server to CPU 0 and the load generators to CPU 1 (taskset)
  --out FILE           raw results JSON (default bench/results/fanout-<timestamp>.json)
  --smoke              ${SMOKE.conns} connections, ${SMOKE.pubs} publications, ${SMOKE.runs} run, 1 client process
  --verbose            echo server output
Exits non-zero when any server lost (or duplicated) a publication or failed to run.`;
}

function parseFlags(argv) {
  const opts = parseFlagsWith(argv, { defaults: DEFAULTS, smoke: SMOKE, usage });
  opts.servers = opts.servers.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of opts.servers) if (!(s in LABEL)) throw new Error(`unknown server ${s} (ws, sio, livegate, ws-buf)`);
  if (opts.conns < 1 || opts.pubs < 1 || opts.runs < 1 || opts.clientProcs < 1 || opts.batch < 1) {
    throw new Error('--conns, --pubs, --runs, --client-procs and --batch must be ≥ 1');
  }
  opts.clientProcs = Math.min(opts.clientProcs, opts.conns);
  return opts;
}

// --------------------------------------------------------------------------------------- server procs
class ServerProc {
  constructor(kind, port, opts, runTag) {
    this.kind = kind;
    this.port = port;
    this.log = '';
    this.gcMarkers = 0;
    this.gcWaiters = [];
    this.dataDir = null;
    const nodeArgs = ['--expose-gc', '--import', GC_HOOK];
    if (opts.cpuProf) {
      const dir = join(ROOT, 'bench', 'results', 'cpu-prof');
      mkdirSync(dir, { recursive: true });
      nodeArgs.push('--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', `${runTag}-${kind}.cpuprofile`);
    }
    let args;
    const env = { ...process.env };
    if (kind === 'livegate') {
      this.dataDir = mkdtempSync(join(tmpdir(), 'livegate-fanout-'));
      args = [LIVEGATE_MAIN, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', this.dataDir];
      Object.assign(env, {
        LIVEGATE_JWT_SECRET: JWT_SECRET,
        LIVEGATE_API_KEY: API_KEY,
        LIVEGATE_LOG_LEVEL: 'warn',
        LIVEGATE_MAX_CONNECTIONS_PER_USER: '100000',
        LIVEGATE_MAX_BUFFERED_BYTES: String(64 * 1024 * 1024),
      });
    } else if (kind === 'ws-buf') {
      args = [join(HERE, 'servers', 'ws-server.mjs'), '--port', String(port), '--buffer'];
    } else {
      args = [join(HERE, 'servers', `${kind}-server.mjs`), '--port', String(port)];
    }
    let cmd = process.execPath;
    let argv = [...nodeArgs, ...args];
    if (opts.pin) {
      argv = ['-c', '0', cmd, ...argv];
      cmd = 'taskset';
    }
    this.child = spawn(cmd, argv, { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((res) => this.child.on('exit', (code, signal) => res({ code, signal })));
    this.child.on('exit', (code, signal) => {
      this.exitInfo = { code, signal };
    });
    const onData = (stream) => (chunk) => {
      const text = chunk.toString();
      if (opts.verbose) stream.write(`[${kind}] ${text}`);
      this.log = (this.log + text).slice(-64 * 1024);
      const n = text.split('__FANOUT_BENCH_GC_DONE__').length - 1;
      if (text.includes('__FANOUT_BENCH_GC_UNAVAILABLE__')) this.gcUnavailable = true;
      if (n > 0 || this.gcUnavailable) {
        this.gcMarkers += n;
        for (const w of this.gcWaiters.splice(0)) w();
      }
    };
    this.child.stdout.on('data', onData(process.stdout));
    this.child.stderr.on('data', onData(process.stderr));
  }

  get pid() {
    // With --pin, taskset execs node, so the pid is node's.
    return this.child.pid;
  }

  async waitHealthy(timeoutMs = 30000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exitInfo) throw new Error(`${this.kind} exited early ${JSON.stringify(this.exitInfo)}\n${this.log}`);
      const status = await httpRequest(this.port, 'GET', '/healthz').then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return;
      await sleep(100);
    }
    throw new Error(`${this.kind} not healthy after ${timeoutMs} ms\n${this.log}`);
  }

  /** Full GC in the server (SIGUSR2 → preloaded gc-hook). Resolves false when it could not be done. */
  async gc(timeoutMs = 10000) {
    if (this.gcUnavailable || this.exitInfo) return false;
    const before = this.gcMarkers;
    const done = new Promise((res) => this.gcWaiters.push(res));
    this.child.kill('SIGUSR2');
    let timer;
    await Promise.race([done, new Promise((res) => (timer = setTimeout(res, timeoutMs)))]);
    clearTimeout(timer);
    return this.gcMarkers > before;
  }

  async stop() {
    if (!this.exitInfo) {
      this.child.kill('SIGTERM');
      const t = setTimeout(() => this.child.kill('SIGKILL'), 10000);
      await this.exited;
      clearTimeout(t);
    }
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

// --------------------------------------------------------------------------------------- client procs
class ClientProc {
  constructor(index, opts) {
    // FANOUT_CLIENT_CPU_PROF=<dir>: profile the load generators too (debug aid, not a flag).
    const profDir = process.env.FANOUT_CLIENT_CPU_PROF;
    const execArgv = profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [];
    let options = { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv };
    if (opts.pin) options = { ...options, execPath: 'taskset', execArgv: ['-c', '1', process.execPath, ...execArgv] };
    this.child = fork(join(HERE, 'client.mjs'), [], options);
    this.index = index;
    this.waiters = new Map();
    this.doneP = null;
    this.child.on('message', (m) => {
      if (m.ev === 'error') {
        console.error(`load generator ${index}: ${m.message}`);
        return;
      }
      const w = this.waiters.get(m.ev);
      if (w) {
        this.waiters.delete(m.ev);
        w(m);
      }
    });
    this.exited = new Promise((res) => this.child.on('exit', res));
    this.child.on('exit', (code) => {
      this.dead = true;
      for (const [, w] of this.waiters) w({ ev: 'dead', code });
      this.waiters.clear();
    });
  }

  next(ev) {
    return new Promise((res) => {
      if (this.dead) res({ ev: 'dead' });
      else this.waiters.set(ev, res);
    });
  }

  async call(msg, ev) {
    const p = this.next(ev);
    this.child.send(msg);
    const r = await p;
    if (r.ev === 'dead') throw new Error(`load generator ${this.index} died`);
    return r;
  }

  async stop() {
    if (!this.dead) {
      this.child.send({ cmd: 'exit' });
      const t = setTimeout(() => this.child.kill('SIGKILL'), 10000);
      await this.exited;
      clearTimeout(t);
    }
  }
}

// ----------------------------------------------------------------------------------------------- http
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function httpRequest(port, method, path, body, headers = {}) {
  return new Promise((resolveReq, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, agent, headers: { ...headers } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolveReq({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(30000, () => req.destroy(new Error('HTTP timeout')));
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

// ------------------------------------------------------------------------------------------- one run
async function measureRss(server, settleMs) {
  await sleep(settleMs);
  const settled = readRssBytes(server.pid);
  const gcOk = await server.gc();
  await sleep(500);
  return { settled, afterGc: gcOk ? readRssBytes(server.pid) : NaN, gcOk };
}

async function runOne(kind, runIndex, opts, tmp) {
  const port = await freePort();
  const tag = `r${runIndex + 1}`;
  const server = new ServerProc(kind, port, opts, `${tag}-${Date.now()}`);
  const clients = [];
  const result = { server: kind, run: runIndex + 1, port, ok: false, phasesMs: {} };
  let tPhase = nowMs();
  const phase = (name) => {
    const t = nowMs();
    result.phasesMs[name] = Math.round(t - tPhase);
    tPhase = t;
  };
  try {
    await server.waitHealthy();
    phase('start');
    const idle = await measureRss(server, opts.settleMs);
    result.rssIdle0 = idle;
    phase('rssIdle0');

    // Connect in batches, split over the load-generator processes (which connect in parallel).
    for (let i = 0; i < opts.clientProcs; i++) clients.push(new ClientProc(i, opts));
    await Promise.all(clients.map((c) => c.next('hello')));
    const per = Math.floor(opts.conns / opts.clientProcs);
    const baseUrl = kind === 'sio' ? `http://127.0.0.1:${port}` : `ws://127.0.0.1:${port}`;
    const tConn = nowMs();
    const conn = await Promise.all(
      clients.map((c, i) =>
        c.call(
          {
            cmd: 'connect',
            baseUrl,
            first: i * per,
            kind: kind === 'ws-buf' ? 'ws' : kind,
            count: i === opts.clientProcs - 1 ? opts.conns - per * i : per,
            batch: opts.batch,
            secret: JWT_SECRET,
          },
          'connected',
        ),
      ),
    );
    result.connectMs = nowMs() - tConn;
    phase('connect');
    result.connected = conn.reduce((a, r) => a + r.connected, 0);
    result.connectFailed = conn.reduce((a, r) => a + r.failed, 0);
    if (result.connectFailed > 0) {
      throw new Error(
        `${result.connectFailed} of ${opts.conns} connections failed: ${conn.flatMap((r) => r.errors).join(' | ')}`,
      );
    }
    const loaded = await measureRss(server, opts.settleMs);
    result.rssIdleN = loaded;
    phase('rssIdleN');
    result.memPerConnBytes = (loaded.afterGc - idle.afterGc) / result.connected;
    result.memPerConnSettledBytes = (loaded.settled - idle.settled) / result.connected;

    // Other work on this 2-core machine (builds, test runs) skews everything: wait for a quiet machine.
    if (opts.quietTimeoutMs > 0) {
      result.quietWait = await waitForQuiet(opts.quietTimeoutMs, opts.quietCpuPct);
      phase('quietWait');
    }

    // Publish: sequential POSTs, each awaiting its response, no pacing.
    await Promise.all(clients.map((c) => c.call({ cmd: 'arm', pubs: opts.pubs }, 'armed')));
    const sys0 = readSystemCpu();
    const self0 = process.cpuUsage();
    const doneAll = Promise.all(clients.map((c) => c.next('done')));
    let allDone = false;
    doneAll.then(() => {
      allDone = true;
    });
    const cpu0 = readCpuTimes(server.pid);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` };
    let firstPost = NaN;
    let postErrors = 0;
    let firstPostError = null;
    let httpRttMs = 0;
    for (let seq = 1; seq <= opts.pubs; seq++) {
      const data = makePayload(seq, opts.payloadBytes);
      const body = JSON.stringify({ channel: 'broadcast', type: 'bench', data });
      if (seq === 1) firstPost = data.ts;
      try {
        const r = await httpRequest(port, 'POST', '/api/v1/publish', body, headers);
        if (r.status !== 200) {
          postErrors += 1;
          firstPostError ??= `HTTP ${r.status}: ${r.body.slice(0, 300)}`;
        }
      } catch (err) {
        postErrors += 1;
        firstPostError ??= String(err.message);
      }
      httpRttMs = nowMs() - firstPost;
    }
    result.postPhaseMs = httpRttMs;
    result.postErrors = postErrors;
    if (firstPostError) result.firstPostError = firstPostError;

    // Wait until every load generator has seen conns × pubs deliveries, or until progress stops.
    const expected = result.connected * opts.pubs;
    let lastTotal = -1;
    let lastProgress = Date.now();
    while (!allDone) {
      await Promise.race([doneAll, sleep(250)]);
      if (allDone) break;
      const st = await Promise.all(clients.map((c) => c.call({ cmd: 'status' }, 'status')));
      const total = st.reduce((a, s) => a + s.delivered, 0);
      if (total !== lastTotal) {
        lastTotal = total;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > opts.drainTimeoutMs) {
        break;
      }
    }
    const cpu1 = readCpuTimes(server.pid);
    const sys1 = readSystemCpu();
    const selfCpu = process.cpuUsage(self0);
    result.serverCpuSeconds = cpu1.user + cpu1.system - cpu0.user - cpu0.system;
    result.serverCpuUserSeconds = cpu1.user - cpu0.user;
    result.serverCpuSystemSeconds = cpu1.system - cpu0.system;
    phase('publish');

    // Collect.
    const reports = await Promise.all(
      clients.map((c, i) => c.call({ cmd: 'report', file: join(tmp, `lat-${kind}-${runIndex}-${i}.bin`) }, 'report')),
    );
    const parts = reports.map((r, i) => {
      const buf = readFileSync(join(tmp, `lat-${kind}-${runIndex}-${i}.bin`));
      return new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
    });
    const all = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
    let off = 0;
    for (const p of parts) {
      all.set(p, off);
      off += p.length;
    }
    all.sort();
    const delivered = reports.reduce((a, r) => a + r.delivered, 0);
    const lastRecv = Math.max(...reports.map((r) => r.lastRecv));
    Object.assign(result, {
      conns: result.connected,
      pubs: opts.pubs,
      payloadBytes: opts.payloadBytes,
      expected,
      delivered,
      lost: expected - delivered,
      duplicates: reports.reduce((a, r) => a + r.duplicates, 0),
      outOfOrder: reports.reduce((a, r) => a + r.outOfOrder, 0),
      closedEarly: reports.reduce((a, r) => a + r.closedEarly, 0),
      otherFrames: reports.reduce((a, r) => a + r.other, 0),
      minPerConn: Math.min(...reports.map((r) => r.minPerConn)),
      maxPerConn: Math.max(...reports.map((r) => r.maxPerConn)),
      deliverPhaseMs: lastRecv - firstPost,
      deliveredPerSec: delivered / ((lastRecv - firstPost) / 1000),
      latencyMs: {
        p50: percentileSorted(all, 50),
        p90: percentileSorted(all, 90),
        p99: percentileSorted(all, 99),
        p999: percentileSorted(all, 99.9),
        max: all.length ? all[all.length - 1] : NaN,
        mean: all.reduce((a, x) => a + x, 0) / all.length,
      },
      clientCpuSeconds: reports.map((r) => r.cpuSeconds),
      clientCpuUserSeconds: reports.map((r) => r.cpuUserSeconds),
      clientCpuSystemSeconds: reports.map((r) => r.cpuSystemSeconds),
      clientRssBytes: reports.map((r) => r.rssBytes),
      frameBytes: reports.find((r) => Number.isFinite(r.frameBytes))?.frameBytes ?? NaN,
    });
    result.serverCpuUsPerDelivery = (result.serverCpuSeconds * 1e6) / delivered;
    // CPU used during the publish phase by processes other than the server, the load generators and this
    // one. The kernel charges softirq time (loopback TCP) to the running process as well, so it counts on
    // both sides. Approximate: the load generators' window is a little longer; kernel threads count as other.
    const ours = result.serverCpuSeconds + result.clientCpuSeconds.reduce((a, b) => a + b, 0) + (selfCpu.user + selfCpu.system) / 1e6;
    result.machine = {
      busyCpuSeconds: sys1.busy - sys0.busy,
      softirqCpuSeconds: sys1.softirq - sys0.softirq,
      stealCpuSeconds: sys1.steal - sys0.steal,
      idleCpuSeconds: sys1.idle - sys0.idle,
      orchestratorCpuSeconds: (selfCpu.user + selfCpu.system) / 1e6,
      otherProcessesCpuSeconds: sys1.busy + sys1.softirq + sys1.irq - (sys0.busy + sys0.softirq + sys0.irq) - ours,
    };
    const busyAll = sys1.busy + sys1.softirq + sys1.irq - (sys0.busy + sys0.softirq + sys0.irq);
    result.machine.busyPct = (100 * busyAll) / (busyAll + result.machine.idleCpuSeconds);
    result.noisy =
      result.quietWait?.quiet === false ||
      (result.machine.otherProcessesCpuSeconds > 0.25 &&
        result.machine.otherProcessesCpuSeconds > 0.05 * NCPU * (result.deliverPhaseMs / 1000));
    phase('collect');
    result.ok = result.lost === 0 && result.duplicates === 0 && result.postErrors === 0;
  } catch (err) {
    result.error = String(err?.stack ?? err);
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    phase('stopClients');
    await server.stop();
    phase('stopServer');
    if (!result.ok && !result.error) result.serverLogTail = server.log.slice(-4000);
    if (result.error) result.serverLogTail = server.log.slice(-4000);
  }
  return result;
}

// ------------------------------------------------------------------------------------------ reporting
const fmtMs = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const fmtKiB = (b) => (Number.isFinite(b) ? (b / 1024).toFixed(1) : 'n/a');
const fmtRatio = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : 'n/a');

function summarize(results, servers) {
  const med = {};
  for (const s of servers) {
    const rs = results.filter((r) => r.server === s && !r.error);
    med[s] = {
      runs: rs.length,
      deliveredPerSec: median(rs.map((r) => r.deliveredPerSec)),
      p50: median(rs.map((r) => r.latencyMs.p50)),
      p99: median(rs.map((r) => r.latencyMs.p99)),
      memPerConnBytes: median(rs.map((r) => r.memPerConnBytes)),
      memPerConnSettledBytes: median(rs.map((r) => r.memPerConnSettledBytes)),
      serverCpuUsPerDelivery: median(rs.map((r) => r.serverCpuUsPerDelivery)),
      frameBytes: median(rs.map((r) => r.frameBytes)),
      delivered: rs.reduce((a, r) => a + r.delivered, 0),
      expected: rs.reduce((a, r) => a + r.expected, 0),
      lost: rs.reduce((a, r) => a + r.lost, 0),
      duplicates: rs.reduce((a, r) => a + r.duplicates, 0),
    };
  }
  return med;
}

function printSummary(med, servers) {
  const rows = [
    ['server', 'runs', 'frame B', 'delivered msg/s', 'p50 ms', 'p99 ms', 'mem/conn KiB (after GC)', 'mem/conn KiB (settled)', 'server CPU µs/msg', 'delivered / expected', 'lost'],
  ];
  for (const s of servers) {
    const m = med[s];
    rows.push([
      LABEL[s],
      m.runs,
      fmtInt(m.frameBytes),
      fmtInt(m.deliveredPerSec),
      fmtMs(m.p50),
      fmtMs(m.p99),
      fmtKiB(m.memPerConnBytes),
      fmtKiB(m.memPerConnSettledBytes),
      Number.isFinite(m.serverCpuUsPerDelivery) ? m.serverCpuUsPerDelivery.toFixed(2) : 'n/a',
      `${fmtInt(m.delivered)} / ${fmtInt(m.expected)}`,
      fmtInt(m.lost) + (m.duplicates ? ` (+${m.duplicates} dup)` : ''),
    ]);
  }
  console.log('\nMedians across runs (latency percentiles are per run, then the median of those):\n');
  console.log(table(rows));

  const ratios = {};
  if (med.livegate) {
    const rrows = [['ratio', 'delivered msg/s', 'p50', 'p99', 'mem/conn (after GC)', 'mem/conn (settled)']];
    for (const base of ['ws', 'sio', 'ws-buf']) {
      if (!med[base]) continue;
      const r = {
        deliveredPerSec: med.livegate.deliveredPerSec / med[base].deliveredPerSec,
        p50: med.livegate.p50 / med[base].p50,
        p99: med.livegate.p99 / med[base].p99,
        memPerConn: med.livegate.memPerConnBytes / med[base].memPerConnBytes,
        memPerConnSettled: med.livegate.memPerConnSettledBytes / med[base].memPerConnSettledBytes,
      };
      ratios[`livegate/${base}`] = r;
      rrows.push([`livegate / ${LABEL[base]}`, fmtRatio(r.deliveredPerSec), fmtRatio(r.p50), fmtRatio(r.p99), fmtRatio(r.memPerConn), fmtRatio(r.memPerConnSettled)]);
    }
    if (rrows.length > 1) {
      console.log('\nRatios of the medians:\n');
      console.log(table(rrows));
    }
  }
  const targets = [];
  const lw = ratios['livegate/ws'];
  const ls = ratios['livegate/sio'];
  if (lw) {
    targets.push({ target: 'livegate delivered msg/s ≥ 70% of plain ws', value: fmtRatio(lw.deliveredPerSec), met: lw.deliveredPerSec >= 0.7 });
  }
  if (ls) {
    targets.push({ target: 'livegate delivered msg/s > socket.io', value: fmtRatio(ls.deliveredPerSec), met: ls.deliveredPerSec > 1 });
  }
  if (lw) {
    targets.push({ target: 'livegate memory/connection ≤ 2× plain ws (after GC)', value: fmtRatio(lw.memPerConn), met: lw.memPerConn <= 2 });
  }
  if (targets.length) {
    console.log('\nTargets:\n');
    for (const t of targets) console.log(`  [${t.met ? 'MET' : 'MISSED'}] ${t.target}: ${t.value}`);
  }
  return { ratios, targets };
}

// ------------------------------------------------------------------------------------------------ main
async function main() {
  const opts = parseFlags(process.argv.slice(2));
  if (opts.servers.includes('livegate') && !existsSync(LIVEGATE_MAIN)) {
    throw new Error(`${LIVEGATE_MAIN} not found: run \`npm run build\` first (or pass --servers ws,sio)`);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'fanout-bench-'));
  const resultsDir = join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const started = new Date();
  const outFile = opts.out
    ? resolve(opts.out)
    : join(resultsDir, `fanout-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  const env = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    platform: `${process.platform} ${process.arch}`,
    nofileLimit: softNofile(),
  };
  console.log(
    `fan-out benchmark: ${opts.conns} connections × ${opts.pubs} publications of ${opts.payloadBytes} B, ` +
      `${opts.runs} run(s), servers ${opts.servers.join(', ')}; ${opts.clientProcs} load-generator process(es), ` +
      `batch ${opts.batch}; node ${env.node}, ${env.cpus} CPUs${opts.pin ? ', pinned' : ''}`,
  );
  const perProc = Math.ceil(opts.conns / opts.clientProcs);
  if (Number.isFinite(env.nofileLimit) && (opts.conns + 200 > env.nofileLimit || perProc + 200 > env.nofileLimit)) {
    console.warn(`warning: open-files limit ${env.nofileLimit} may be too low for ${opts.conns} connections (raise ulimit -n)`);
  }

  const results = [];
  const runId = randomBytes(3).toString('hex');
  for (let r = 0; r < opts.runs; r++) {
    for (const kind of opts.servers) {
      const res = await runOne(kind, r, opts, tmp);
      res.runId = runId;
      results.push(res);
      if (res.error) {
        console.log(`run ${r + 1} ${LABEL[kind].padEnd(11)}  FAILED: ${res.error.split('\n')[0]}`);
        if (res.serverLogTail) console.log(`  server output (tail):\n${res.serverLogTail.replace(/^/gm, '    ')}`);
      } else {
        console.log(
          `run ${r + 1} ${LABEL[kind].padEnd(11)}  ${fmtInt(res.deliveredPerSec).padStart(9)} msg/s  ` +
            `p50 ${fmtMs(res.latencyMs.p50)} ms  p99 ${fmtMs(res.latencyMs.p99)} ms  ` +
            `mem/conn ${fmtKiB(res.memPerConnBytes)} KiB (settled ${fmtKiB(res.memPerConnSettledBytes)})  ` +
            `delivered ${fmtInt(res.delivered)}/${fmtInt(res.expected)}` +
            (res.lost ? `  LOST ${res.lost}` : '') +
            (res.duplicates ? `  DUP ${res.duplicates}` : '') +
            (res.outOfOrder ? `  OUT-OF-ORDER ${res.outOfOrder}` : '') +
            (res.postErrors ? `  POST errors ${res.postErrors} (${res.firstPostError})` : '') +
            `  [connect ${(res.connectMs / 1000).toFixed(1)} s, posts ${(res.postPhaseMs / 1000).toFixed(2)} s, ` +
            `server CPU ${res.serverCpuSeconds.toFixed(2)} s, clients CPU ${res.clientCpuSeconds.map((x) => x.toFixed(2)).join('+')} s, ` +
            `other processes ${res.machine.otherProcessesCpuSeconds.toFixed(2)} s]` +
            (res.noisy ? '  NOISY (other load on the machine)' : ''),
        );
      }
    }
  }
  rmSync(tmp, { recursive: true, force: true });

  const med = summarize(results, opts.servers);
  const { ratios, targets } = printSummary(med, opts.servers);
  const noisy = results.filter((r) => r.noisy);
  if (noisy.length) {
    console.warn(
      `\nwarning: ${noisy.length} run(s) had other processes using CPU during the publish phase ` +
        `(${noisy.map((r) => `${LABEL[r.server]} run ${r.run}`).join(', ')}); their figures are less reliable.`,
    );
  }
  const failed = results.filter((r) => !r.ok);
  writeFileSync(
    outFile,
    JSON.stringify({ startedAt: started.toISOString(), argv: process.argv.slice(2), opts, env, results, medians: med, ratios, targets }, null, 2),
  );
  console.log(`\nraw results: ${outFile}`);
  if (failed.length) {
    console.error(
      `\nFAIL: ${failed.length} run(s) lost/duplicated publications or failed: ` +
        failed.map((r) => `${LABEL[r.server]} run ${r.run}${r.error ? ' (error)' : ` (lost ${r.lost}, dup ${r.duplicates}, POST errors ${r.postErrors})`}`).join(', '),
    );
    process.exitCode = 1;
  }
}

function softNofile() {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const m = /^Max open files\s+(\d+)/m.exec(limits);
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

main().catch((err) => {
  console.error(err?.stack ?? err);
  process.exit(2);
});
