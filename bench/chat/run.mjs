#!/usr/bin/env node
// Chat-streaming benchmark: N concurrent CodeGraph chat streams (`/api/v1/ws/chat`) answered by the embedded
// engine; measures the latency the gateway adds between the provider yielding a delta and the client
// receiving the `chat.chunk` frame that carries it.
//
//   node bench/chat/run.mjs                  # 1, 100 and 1,000 concurrent streams × 10 s × 3 runs
//   node bench/chat/run.mjs --smoke          # ≈ 10 s, exits 1 on any lost or garbled stream
//   node bench/chat/run.mjs --help
//
// Processes: this orchestrator; one server child (bench/chat/server.mjs: a gateway from dist/ whose
// embedded provider is wrapped to timestamp each delta); 1–2 load-generator children
// (bench/chat/client.mjs: the chat sockets). All clocks are performance.timeOrigin + performance.now().
import { fork, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags as parseFlagsWith } from '../lib/flags.mjs';
import { fmtInt, table } from '../lib/report.mjs';
import { corpus, median, nowMs, percentileSorted, readCpuTimes, readF64, readSchedstat, readSystemCpu, sleep, waitForQuiet } from './lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const DIST_INDEX = join(ROOT, 'dist', 'index.js');
const JWT_SECRET = 'chat-bench-secret-0123456789abcdef-0123456789';
const API_KEY = 'chat-bench-api-key';
const NCPU = cpus().length;

// ---------------------------------------------------------------------------------------------- flags
const DEFAULTS = {
  levels: '1,100,1000',
  runs: 3,
  durationMs: 10000,
  warmupMs: 5000,
  rampMs: 3000,
  clientProcs: 2,
  perSocket: 1,
  batch: 250,
  stallTimeoutMs: 30000,
  quietTimeoutMs: 180000,
  quietCpuPct: 5,
  noisyRetries: 3,
  split: true,
  cpuProf: false,
  pin: false,
  paceMs: 0,
  serverNice: 0,
  clientRt: -1,
  targetMs: 5,
  targetLevel: 1000,
  out: '',
  verbose: false,
};
// Smoke: no warm-up, so every slot's first stream (sent during the 1 s ramp) is measured, however slow the machine.
const SMOKE = { levels: '1000', runs: 1, durationMs: 1500, warmupMs: 0, rampMs: 1000, quietTimeoutMs: 0, noisyRetries: 0 };

function usage() {
  return `usage: node bench/chat/run.mjs [flags]
  --levels LIST         concurrent streams per measurement, comma-separated   (default ${DEFAULTS.levels})
  --runs N              repetitions (levels interleaved), medians reported     (default ${DEFAULTS.runs})
  --duration-ms N       measured window: streams sent in it are measured       (default ${DEFAULTS.durationMs})
  --warmup-ms N         unmeasured time before the window (ramp included)      (default ${DEFAULTS.warmupMs})
  --ramp-ms N           slots start evenly spread over the first N ms          (default ${DEFAULTS.rampMs})
  --client-procs N      load-generator processes (fewer if fewer sockets)      (default ${DEFAULTS.clientProcs})
  --per-socket N        concurrent streams per socket (≤ 16); sockets = level / N (default ${DEFAULTS.perSocket})
  --batch N             sockets opened concurrently per load generator         (default ${DEFAULTS.batch})
  --stall-timeout-ms N  fail the run after N ms without a finished stream     (default ${DEFAULTS.stallTimeoutMs})
  --quiet-timeout-ms N  before measuring, wait up to N ms for the machine to be idle
                        (< --quiet-cpu-pct of all CPUs over 1 s); 0 = don't wait (default ${DEFAULTS.quietTimeoutMs}; --smoke: 0)
  --quiet-cpu-pct N     idle threshold for the wait above                      (default ${DEFAULTS.quietCpuPct})
  --noisy-retries N     repeat a run whose window saw other processes use > 5% of the machine's CPU
                        (the discarded runs stay in the JSON)                  (default ${DEFAULTS.noisyRetries}; --smoke: 0)
  --no-split            don't also timestamp chat.chunk frames at ws send() in the server
  --pace-ms N           NOT the target's workload: the wrapper holds each delta back N ms before handing
                        it to the gateway (a model emitting a token every N ms); 0 = the engine's own pace (default ${DEFAULTS.paceMs})
  --server-nice N       NOT the default measurement: run the server at nice N (1-19), so the load generators,
                        which share the machine with it, get a CPU as soon as frames arrive (default ${DEFAULTS.serverNice})
  --client-rt N         run the load generators under SCHED_FIFO priority N (1-99, chrt; needs root), so they
                        get a CPU the moment frames arrive, as clients on machines of their own would; the
                        kernel keeps 5% of each CPU for the others. 0 = normal scheduling, where on a small
                        machine the figure includes the load generators' wait for a CPU. Default (-1): 10 when
                        the load generators would share the server's cores (CPUs < 1 + --client-procs) and
                        chrt works here, else 0
  --pin                 server on CPU 0, load generators on CPU 1 (taskset); off by default
  --cpu-prof            profile the server during the measured phase (bench/results/cpu-prof/)
  --target-ms N         p99 target for the verdict                             (default ${DEFAULTS.targetMs})
  --target-level N      level the verdict is taken at                          (default ${DEFAULTS.targetLevel})
  --out FILE            raw results JSON (default bench/results/chat-<timestamp>.json)
  --smoke               levels ${SMOKE.levels}, ${SMOKE.durationMs} ms, ${SMOKE.runs} run, no idle wait (≈ 10 s)
  --verbose             echo more
Exits 1 when a stream was lost or garbled (or a run failed), 2 on a setup error.`;
}

function parseFlags(argv) {
  const opts = parseFlagsWith(argv, { defaults: DEFAULTS, smoke: SMOKE, usage });
  opts.levels = String(opts.levels)
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
  if (opts.levels.length === 0 || opts.levels.some((n) => !Number.isInteger(n))) throw new Error('--levels: positive integers');
  if (opts.runs < 1 || opts.clientProcs < 1 || opts.batch < 1 || opts.durationMs < 1) throw new Error('--runs, --client-procs, --batch, --duration-ms must be ≥ 1');
  if (!Number.isInteger(opts.serverNice) || opts.serverNice > 19) throw new Error('--server-nice: 0..19');
  if (!Number.isInteger(opts.clientRt) || opts.clientRt < -1 || opts.clientRt > 99) throw new Error('--client-rt: -1 (auto) or 0..99');
  if (opts.clientRt === -1) opts.clientRt = autoClientRt(opts.clientProcs);
  if (opts.perSocket < 1 || opts.perSocket > 16) throw new Error('--per-socket: 1..16 (the gateway allows 16 queries in flight per socket)');
  return opts;
}

/**
 * The load generators stand in for clients on other machines. When they would share the server's cores,
 * real-time priority gives them a CPU as soon as frames arrive, so the figure is the gateway's latency and
 * not their wait for a CPU; without chrt (or the right to use it) they run normally and the output says so.
 */
function autoClientRt(clientProcs) {
  if (NCPU >= 1 + clientProcs) return 0;
  const probe = spawnSync('chrt', ['-f', '10', 'true'], { stdio: 'ignore' });
  if (probe.status === 0) return 10;
  console.warn(`warning: ${NCPU} CPUs for the server and ${clientProcs} load generator(s), and chrt -f is not available: the load generators' wait for a CPU is part of the figures`);
  return 0;
}

// ------------------------------------------------------------------------------------- child processes
/** CHAT_BENCH_SERVER_NODE_ARGS / CHAT_BENCH_CLIENT_NODE_ARGS: extra node flags (debug aid, e.g. --trace-gc). */
const debugArgv = (who) => (process.env[`CHAT_BENCH_${who}_NODE_ARGS`] ?? '').split(' ').filter(Boolean);

class Child {
  constructor(name, script, { execArgv = [], verbose = false, cpu = null, nice = 0, rt = 0 } = {}) {
    this.name = name;
    this.waiters = new Map();
    this.errors = [];
    let options = { stdio: ['ignore', verbose ? 'inherit' : 'pipe', 'pipe', 'ipc'], execArgv };
    // taskset execs node, so the child's pid stays node's.
    if (cpu !== null) options = { ...options, execPath: 'taskset', execArgv: ['-c', String(cpu), process.execPath, ...execArgv] };
    // nice and chrt exec their command too (taskset, or node), so the child's pid stays node's.
    if (rt > 0) options = { ...options, execPath: 'chrt', execArgv: ['-f', String(rt), options.execPath ?? process.execPath, ...options.execArgv] };
    if (nice > 0) options = { ...options, execPath: 'nice', execArgv: ['-n', String(nice), options.execPath ?? process.execPath, ...options.execArgv] };
    this.child = fork(script, [], options);
    this.output = '';
    const keep = (c) => {
      this.output = (this.output + c.toString()).slice(-16 * 1024);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr.on('data', (c) => {
      keep(c);
      if (verbose) process.stderr.write(`[${name}] ${c}`);
    });
    this.child.on('message', (m) => {
      if (m.ev === 'error') {
        this.errors.push(m.message);
        const w = this.waiters.get('*error');
        if (w) w(m);
        console.error(`${name}: ${m.message}`);
        return;
      }
      const w = this.waiters.get(m.ev);
      if (w) {
        this.waiters.delete(m.ev);
        w(m);
      }
    });
    // e.g. ERR_IPC_CHANNEL_CLOSED when sending to a child that has just died: reported by call().
    this.child.on('error', (err) => this.errors.push(String(err?.message ?? err)));
    this.exited = new Promise((res) => this.child.on('exit', res));
    this.child.on('exit', (code, signal) => {
      this.dead = { code, signal };
      for (const [, w] of this.waiters) w({ ev: 'dead', code, signal });
      this.waiters.clear();
    });
  }

  get pid() {
    return this.child.pid;
  }

  next(ev) {
    return new Promise((res) => {
      if (this.dead) res({ ev: 'dead', ...this.dead });
      else this.waiters.set(ev, res);
    });
  }

  async call(msg, ev, timeoutMs = 120000) {
    if (this.dead) throw new Error(`${this.name} died (${JSON.stringify(this.dead)})\n${this.output}`);
    const p = this.next(ev);
    const failed = new Promise((res) => this.waiters.set('*error', res));
    this.child.send(msg);
    let timer;
    const r = await Promise.race([p, failed, new Promise((res) => (timer = setTimeout(() => res({ ev: 'timeout' }), timeoutMs)))]);
    clearTimeout(timer);
    this.waiters.delete('*error');
    if (r.ev === 'dead') throw new Error(`${this.name} died (${JSON.stringify(r)})\n${this.output}`);
    if (r.ev === 'error') throw new Error(`${this.name}: ${r.message}`);
    if (r.ev === 'timeout') throw new Error(`${this.name}: no '${ev}' after ${timeoutMs} ms`);
    return r;
  }

  async stop(msg) {
    if (!this.dead) {
      this.child.send(msg);
      const t = setTimeout(() => this.child.kill('SIGKILL'), 10000);
      await this.exited;
      clearTimeout(t);
    }
  }
}

/** Offset of a child's clock from ours: the exchange with the smallest round trip of 7. */
async function clockOffset(child) {
  let best = { rtt: Infinity, offset: NaN };
  for (let i = 0; i < 7; i++) {
    const t0 = nowMs();
    const { t } = await child.call({ cmd: 'clock' }, 'clock');
    const t1 = nowMs();
    if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: t - (t0 + t1) / 2 };
  }
  return best;
}

// ----------------------------------------------------------------------------------------------- http
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function httpRequest(port, method, path, body, headers = {}) {
  return new Promise((resolveReq, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolveReq({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30000, () => req.destroy(new Error('HTTP timeout')));
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

// ------------------------------------------------------------------------------------------- analysis
/** (id, index, t) triples → Map id → Float64Array of t by index. */
function groupTriples(arr) {
  const counts = new Map();
  for (let k = 0; k < arr.length; k += 3) {
    const id = arr[k];
    const need = arr[k + 1] + 1;
    if ((counts.get(id) ?? 0) < need) counts.set(id, need);
  }
  const out = new Map();
  for (const [id, n] of counts) out.set(id, new Float64Array(n).fill(NaN));
  for (let k = 0; k < arr.length; k += 3) out.get(arr[k])[arr[k + 1]] = arr[k + 2];
  return out;
}

function stats(values, n, targetMs) {
  const v = values.subarray(0, n).sort();
  let under = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += v[i];
    if (v[i] < targetMs) under += 1;
  }
  return {
    count: n,
    min: n ? v[0] : NaN,
    p50: percentileSorted(v, 50),
    p90: percentileSorted(v, 90),
    p99: percentileSorted(v, 99),
    p999: percentileSorted(v, 99.9),
    max: n ? v[n - 1] : NaN,
    mean: n ? sum / n : NaN,
    underTargetPct: n ? (100 * under) / n : NaN,
  };
}

/** Joins the client streams with the server's delta (and send) records. */
function analyse({ clientLogs, deltasArr, writesArr, windowChunks, durationMs, targetMs }) {
  const deltas = groupTriples(deltasArr);
  const writes = writesArr ? groupTriples(writesArr) : null;
  let total = 0;
  for (const log of clientLogs) {
    for (let k = 0; k < log.length; ) {
      total += log[k + 1];
      k += 5 + log[k + 1];
    }
  }
  const added = new Float64Array(total);
  const gw = writes ? new Float64Array(total) : null;
  const rest = writes ? new Float64Array(total) : null;
  const ttfc = [];
  const durations = [];
  let nAdded = 0;
  let nSplit = 0;
  let streams = 0;
  let mismatched = 0;
  let missingWrites = 0;
  const mismatchExamples = [];
  let firstSend = Infinity;
  let lastRecv = -Infinity;
  for (const log of clientLogs) {
    for (let k = 0; k < log.length; ) {
      const id = log[k];
      const n = log[k + 1];
      const tSend = log[k + 2];
      const tDone = log[k + 4];
      const times = log.subarray(k + 5, k + 5 + n);
      k += 5 + n;
      streams += 1;
      const d = deltas.get(id);
      if (!d || d.length !== n || d.some((x) => Number.isNaN(x))) {
        mismatched += 1;
        if (mismatchExamples.length < 5) mismatchExamples.push(`stream ${id}: ${n} chunks received, ${d ? d.length : 0} deltas recorded`);
        continue;
      }
      const w = writes?.get(id);
      if (writes && (!w || w.length !== n)) missingWrites += 1;
      for (let i = 0; i < n; i++) {
        added[nAdded++] = times[i] - d[i];
        if (w && w.length === n) {
          gw[nSplit] = w[i] - d[i];
          rest[nSplit++] = times[i] - w[i];
        }
      }
      ttfc.push(times[0] - tSend);
      durations.push(tDone - tSend);
      if (tSend < firstSend) firstSend = tSend;
      if (tDone > lastRecv) lastRecv = tDone;
    }
  }
  const ttfcArr = Float64Array.from(ttfc);
  const durArr = Float64Array.from(durations);
  return {
    streams,
    deltas: nAdded,
    mismatched,
    mismatchExamples,
    missingWrites,
    addedMs: stats(added, nAdded, targetMs),
    gatewayMs: gw ? stats(gw, nSplit, targetMs) : null,
    wireClientMs: rest ? stats(rest, nSplit, targetMs) : null,
    ttfcMs: stats(ttfcArr, ttfcArr.length, targetMs),
    streamMs: stats(durArr, durArr.length, targetMs),
    // Every chat.chunk received inside the measured window (measured, warm-up and drain streams alike).
    deltasPerSec: windowChunks / (durationMs / 1000),
    spanMs: lastRecv - firstSend,
  };
}

// ------------------------------------------------------------------------------------------- one run
async function runOne(level, runIndex, opts, tmp, runTag) {
  const result = { level, run: runIndex + 1, ok: false, phasesMs: {} };
  let tPhase = nowMs();
  const phase = (name) => {
    const t = nowMs();
    result.phasesMs[name] = Math.round(t - tPhase);
    tPhase = t;
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'livegate-chatbench-'));
  const server = new Child('server', join(HERE, 'server.mjs'), { verbose: opts.verbose, execArgv: debugArgv('SERVER'), cpu: opts.pin ? 0 : null, nice: opts.serverNice });
  const clients = [];
  try {
    await server.next('hello');
    const { port } = await server.call({ cmd: 'start', dataDir, jwtSecret: JWT_SECRET, apiKey: API_KEY, split: opts.split, paceMs: opts.paceMs }, 'started', 60000);
    result.serverPid = server.pid;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` };
    for (const doc of corpus()) {
      const r = await httpRequest(port, 'POST', '/api/v1/documents', JSON.stringify(doc), headers);
      if (r.status !== 201) throw new Error(`POST /api/v1/documents: HTTP ${r.status} ${r.body.slice(0, 300)}`);
    }
    phase('start');

    const sockets = Math.ceil(level / opts.perSocket);
    const perSocketHere = Math.min(opts.perSocket, level);
    const nProcs = Math.min(opts.clientProcs, sockets);
    for (let i = 0; i < nProcs; i++) clients.push(new Child(`load generator ${i}`, join(HERE, 'client.mjs'), { verbose: opts.verbose, execArgv: debugArgv('CLIENT'), cpu: opts.pin ? 1 : null, rt: opts.clientRt }));
    await Promise.all(clients.map((c) => c.next('hello')));
    const per = Math.floor(sockets / nProcs);
    const conn = await Promise.all(
      clients.map((c, i) =>
        c.call(
          {
            cmd: 'connect',
            baseUrl: `ws://127.0.0.1:${port}`,
            first: i * per,
            count: i === nProcs - 1 ? sockets - per * i : per,
            batch: opts.batch,
            secret: JWT_SECRET,
            idBase: (i + 1) * 100_000_000,
          },
          'connected',
        ),
      ),
    );
    const failedConn = conn.reduce((a, r) => a + r.failed, 0);
    if (failedConn) throw new Error(`${failedConn} of ${sockets} sockets failed: ${conn.flatMap((r) => r.errors).join(' | ')}`);
    result.sockets = sockets;
    result.streamsPerSocket = perSocketHere;
    result.clientProcs = nProcs;
    result.concurrency = sockets * perSocketHere;
    phase('connect');

    // Clocks: every process reads performance.timeOrigin + performance.now(); check they agree.
    const srvClock = await clockOffset(server);
    const cliClocks = [];
    for (const c of clients) cliClocks.push(await clockOffset(c));
    result.clock = {
      serverOffsetMs: srvClock.offset,
      clientOffsetsMs: cliClocks.map((c) => c.offset),
      maxRttMs: Math.max(srvClock.rtt, ...cliClocks.map((c) => c.rtt)),
      // client − server, the error it would put into "added latency" (the measured value includes ± rtt/2)
      clientMinusServerMs: cliClocks.map((c) => c.offset - srvClock.offset),
    };

    if (opts.quietTimeoutMs > 0) {
      result.quietWait = await waitForQuiet(opts.quietTimeoutMs, opts.quietCpuPct);
      phase('quietWait');
    }

    // One continuous run: ramp (slots start evenly spread over rampMs), warm-up, measured window, drain
    // (load kept up with unmeasured streams until every measured stream has ended).
    const startAt = nowMs() + 200;
    const measureStart = startAt + opts.warmupMs;
    const measureEnd = measureStart + opts.durationMs;
    const profileFile = opts.cpuProf ? join(ROOT, 'bench', 'results', 'cpu-prof', `chat-${runTag}-c${level}-r${runIndex + 1}.cpuprofile`) : null;
    const doneAll = Promise.all(clients.map((c) => c.next('done')));
    const totalSlots = sockets * perSocketHere;
    let slotOffset = 0;
    await Promise.all(
      clients.map((c, i) => {
        const count = i === nProcs - 1 ? sockets - per * i : per;
        const msg = { cmd: 'run', startAt, rampMs: opts.rampMs, warmupMs: opts.warmupMs, durationMs: opts.durationMs, perSocket: perSocketHere, slotOffset, totalSlots };
        slotOffset += count * perSocketHere;
        return c.call(msg, 'running');
      }),
    );
    await sleep(Math.max(0, measureStart - nowMs()));
    const sys0 = readSystemCpu();
    const self0 = process.cpuUsage();
    const cpu0 = readCpuTimes(server.pid);
    const pids = [server.pid, ...clients.map((c) => c.pid)];
    const sched0 = pids.map(readSchedstat);
    const mark0 = await server.call({ cmd: 'mark' }, 'mark');
    if (profileFile) await server.call({ cmd: 'profile' }, 'profiling');
    phase('warmup');
    await sleep(Math.max(0, measureEnd - nowMs()));
    const mark1 = await server.call({ cmd: 'mark' }, 'mark');
    const cpu1 = readCpuTimes(server.pid);
    const sched1 = pids.map(readSchedstat);
    const sys1 = readSystemCpu();
    const selfCpu = process.cpuUsage(self0);
    const tEnd = nowMs();
    phase('measure');
    // Time each process's main thread was runnable but waited for a CPU, during the window.
    const sched = sched1.map((b, i) => ({ runSeconds: b.runSeconds - sched0[i].runSeconds, waitSeconds: b.waitSeconds - sched0[i].waitSeconds, slices: b.slices - sched0[i].slices }));
    result.runQueueWait = { server: sched[0], clients: sched.slice(1) };
    const m = await waitDone(doneAll, clients, opts.stallTimeoutMs);
    result.stalled = m.stalled;
    phase('drain');
    const deltasFile = join(tmp, `deltas-${level}-${runIndex}.bin`);
    const writesFile = opts.split ? join(tmp, `writes-${level}-${runIndex}.bin`) : null;
    const dumped = await server.call({ cmd: 'dump', deltasFile, writesFile, profileFile }, 'dumped', 120000);
    result.server = dumped;
    const reports = await Promise.all(clients.map((c, i) => c.call({ cmd: 'report', file: join(tmp, `client-${level}-${runIndex}-${i}.bin`) }, 'report')));
    const clientLogs = reports.map((_, i) => readF64(join(tmp, `client-${level}-${runIndex}-${i}.bin`)));
    const sum = (k) => reports.reduce((a, r) => a + r[k], 0);
    Object.assign(result, {
      started: sum('started'),
      completed: sum('completed'),
      measured: sum('measured'),
      measuredCompleted: sum('measuredCompleted'),
      failed: sum('failed'),
      garbled: sum('garbled'),
      lost: sum('lost'),
      unexpected: sum('unexpected'),
      closedEarly: sum('closedEarly'),
      problems: reports.flatMap((r) => r.problems).slice(0, 10),
      words: {
        min: Math.min(...reports.map((r) => r.words.min)),
        max: Math.max(...reports.map((r) => r.words.max)),
        mean: reports.reduce((a, r) => a + r.words.mean * r.completed, 0) / Math.max(1, sum('completed')),
      },
      meanInFlight: reports.reduce((x, r) => x + r.inFlightMean, 0),
      clientCpuSeconds: reports.map((r) => r.cpuSeconds),
      clientLoopDelayMs: reports.map((r) => r.loopDelay),
    });
    const a = analyse({
      clientLogs,
      deltasArr: readF64(deltasFile),
      writesArr: writesFile ? readF64(writesFile) : null,
      windowChunks: (result.windowChunks = reports.reduce((x, r) => x + r.windowChunks, 0)),
      durationMs: opts.durationMs,
      targetMs: opts.targetMs,
    });
    if (result.server.deltas === 0) throw new Error('the instrumented provider saw no delta: the dialect does not use the swapped chat service');
    if (result.server.untagged) throw new Error(`${result.server.untagged} provider calls without a [lgb:id] tag`);
    Object.assign(result, a);
    const measureMs = tEnd - measureStart;
    result.measureMs = measureMs;
    result.serverCpuSeconds = cpu1.user + cpu1.system - cpu0.user - cpu0.system;
    result.serverCpuUserSeconds = cpu1.user - cpu0.user;
    result.serverCpuSystemSeconds = cpu1.system - cpu0.system;
    result.serverCpuPct = (100 * result.serverCpuSeconds) / (measureMs / 1000);
    result.serverCpuUsPerDelta = (1e6 * result.serverCpuSeconds) / Math.max(1, result.windowChunks);
    // The server's own count: process.cpuUsage() and deltas produced, read together inside the server at the
    // window's start and end. Robust to other load on the machine (CPU time, not wall time; deltas the
    // server made, not the ones the load generators got around to reading), so it is the figure to compare
    // code changes by.
    result.serverCpuPerDelta = {
      deltas: mark1.deltas - mark0.deltas,
      cpuSeconds: (mark1.cpuUserUs + mark1.cpuSystemUs - mark0.cpuUserUs - mark0.cpuSystemUs) / 1e6,
      us: (mark1.cpuUserUs + mark1.cpuSystemUs - mark0.cpuUserUs - mark0.cpuSystemUs) / Math.max(1, mark1.deltas - mark0.deltas),
      userUs: (mark1.cpuUserUs - mark0.cpuUserUs) / Math.max(1, mark1.deltas - mark0.deltas),
      systemUs: (mark1.cpuSystemUs - mark0.cpuSystemUs) / Math.max(1, mark1.deltas - mark0.deltas),
    };
    // Load generators: CPU over the window per chat.chunk received in it.
    result.clientCpuUsPerDelta = (1e6 * result.clientCpuSeconds.reduce((x, y) => x + y, 0)) / Math.max(1, result.windowChunks);
    const busyAll = sys1.busy + sys1.softirq + sys1.irq - (sys0.busy + sys0.softirq + sys0.irq);
    const ours = result.serverCpuSeconds + result.clientCpuSeconds.reduce((x, y) => x + y, 0) + (selfCpu.user + selfCpu.system) / 1e6;
    result.machine = {
      busyPct: (100 * busyAll) / (busyAll + (sys1.idle - sys0.idle)),
      otherProcessesCpuSeconds: busyAll - ours,
    };
    result.noisy =
      result.quietWait?.quiet === false ||
      (result.machine.otherProcessesCpuSeconds > 0.25 && result.machine.otherProcessesCpuSeconds > 0.05 * NCPU * (measureMs / 1000));
    phase('collect');
    result.ok =
      !result.stalled &&
      result.lost === 0 &&
      result.garbled === 0 &&
      result.failed === 0 &&
      result.unexpected === 0 &&
      result.closedEarly === 0 &&
      result.mismatched === 0 &&
      result.measuredCompleted > 0 &&
      result.streams === result.measured &&
      result.completed === result.started;
  } catch (err) {
    result.error = String(err?.stack ?? err);
  } finally {
    await Promise.all(clients.map((c) => c.stop({ cmd: 'exit' })));
    await server.stop({ cmd: 'stop' });
    rmSync(dataDir, { recursive: true, force: true });
    phase('stop');
    if (!result.ok) result.serverOutputTail = server.output.slice(-4000);
  }
  return result;
}

/** Waits for every load generator's 'done', failing when no stream finishes for stallTimeoutMs. */
async function waitDone(doneAll, clients, stallTimeoutMs) {
  let finished = null;
  doneAll.then((v) => (finished = v));
  let last = -1;
  let lastProgress = Date.now();
  while (!finished) {
    await Promise.race([doneAll, sleep(500)]);
    if (finished) break;
    const st = await Promise.all(clients.map((c) => c.call({ cmd: 'status' }, 'status')));
    const completed = st.reduce((a, s) => a + s.completed + s.failed + s.lost, 0);
    if (completed !== last) {
      last = completed;
      lastProgress = Date.now();
    } else if (Date.now() - lastProgress > stallTimeoutMs) {
      return { stalled: true, statuses: st };
    }
  }
  if (finished.some((f) => f.ev === 'dead')) throw new Error('a load generator died');
  return { stalled: false, statuses: finished };
}

// ------------------------------------------------------------------------------------------ reporting
const fmtMs = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

function summarize(results, levels) {
  const med = {};
  for (const level of levels) {
    const rs = results.filter((r) => r.level === level && !r.error && r.addedMs);
    const mm = (f) => median(rs.map(f));
    med[level] = {
      runs: rs.length,
      streams: rs.reduce((a, r) => a + r.streams, 0),
      deltas: rs.reduce((a, r) => a + r.deltas, 0),
      words: mm((r) => r.words.mean),
      meanInFlight: mm((r) => r.meanInFlight),
      measuredPerSlot: mm((r) => r.measured / r.concurrency),
      p50: mm((r) => r.addedMs.p50),
      p99: mm((r) => r.addedMs.p99),
      p999: mm((r) => r.addedMs.p999),
      max: mm((r) => r.addedMs.max),
      gatewayP50: mm((r) => r.gatewayMs?.p50),
      gatewayP99: mm((r) => r.gatewayMs?.p99),
      wireClientP99: mm((r) => r.wireClientMs?.p99),
      deltasPerSec: mm((r) => r.deltasPerSec),
      ttfcP50: mm((r) => r.ttfcMs.p50),
      ttfcP99: mm((r) => r.ttfcMs.p99),
      streamP50: mm((r) => r.streamMs.p50),
      serverCpuPct: mm((r) => r.serverCpuPct),
      serverCpuUsPerDelta: mm((r) => r.serverCpuUsPerDelta),
      serverCpuUsPerDeltaProduced: mm((r) => r.serverCpuPerDelta?.us),
      clientCpuUsPerDelta: mm((r) => r.clientCpuUsPerDelta),
      clientLoopP99: mm((r) => Math.max(...r.clientLoopDelayMs.map((l) => l?.p99Ms ?? NaN))),
      // Share of the window the load generators' main threads were runnable but waiting for a CPU (summed).
      clientRunQueuePct: mm((r) => (100 * r.runQueueWait.clients.reduce((x, c) => x + c.waitSeconds, 0)) / (r.measureMs / 1000)),
      serverRunQueuePct: mm((r) => (100 * r.runQueueWait.server.waitSeconds) / (r.measureMs / 1000)),
      machineBusyPct: mm((r) => r.machine.busyPct),
      lost: results.filter((r) => r.level === level).reduce((a, r) => a + (r.lost ?? 0), 0),
      garbled: results.filter((r) => r.level === level).reduce((a, r) => a + (r.garbled ?? 0) + (r.mismatched ?? 0), 0),
    };
  }
  return med;
}

function printSummary(med, opts) {
  const rows = [
    ['concurrent streams', 'runs', 'streams', 'deltas', 'words/answer', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'deltas/s', 'TTFC p50 ms', 'TTFC p99 ms', 'server CPU', 'server µs/delta', 'lost', 'garbled'],
  ];
  for (const level of opts.levels) {
    const m = med[level];
    rows.push([
      fmtInt(level),
      m.runs,
      fmtInt(m.streams),
      fmtInt(m.deltas),
      fmtMs(m.words, 1),
      fmtMs(m.p50),
      fmtMs(m.p99),
      fmtMs(m.p999),
      fmtMs(m.max, 1),
      fmtInt(m.deltasPerSec),
      fmtMs(m.ttfcP50, 1),
      fmtMs(m.ttfcP99, 1),
      `${fmtMs(m.serverCpuPct, 0)}%`,
      fmtMs(m.serverCpuUsPerDelta, 1),
      fmtInt(m.lost),
      fmtInt(m.garbled),
    ]);
  }
  console.log('\nAdded latency, provider delta → client chat.chunk (medians of the runs; streams/deltas are totals):\n');
  console.log(table(rows));
  if (opts.split) {
    const srows = [
      ['concurrent streams', 'delta → ws send p50 ms', 'delta → ws send p99 ms', 'ws send → client p99 ms', 'mean in flight', 'machine busy', 'server run-queue wait', 'load gens run-queue wait'],
    ];
    for (const level of opts.levels) {
      const m = med[level];
      srows.push([
        fmtInt(level),
        fmtMs(m.gatewayP50, 3),
        fmtMs(m.gatewayP99, 3),
        fmtMs(m.wireClientP99),
        fmtMs(m.meanInFlight, 0),
        `${fmtMs(m.machineBusyPct, 0)}%`,
        `${fmtMs(m.serverRunQueuePct, 1)}%`,
        `${fmtMs(m.clientRunQueuePct, 1)}%`,
      ]);
    }
    console.log(
      '\nWhere it goes: the server part (delta → ws send() returned) and the rest (→ client receives); run-queue wait = share of\n' +
        'the window a process was runnable but had no CPU (load generators summed):\n',
    );
    console.log(table(srows));
  }
  const crows = [['concurrent streams', 'server µs/delta produced (cpuUsage)', 'server µs/delta received (/proc)', 'load generators µs/delta received']];
  for (const level of opts.levels) {
    const m = med[level];
    crows.push([fmtInt(level), fmtMs(m.serverCpuUsPerDeltaProduced, 1), fmtMs(m.serverCpuUsPerDelta, 1), fmtMs(m.clientCpuUsPerDelta, 1)]);
  }
  console.log(
    '\nCPU per delta over the window: the server\'s process.cpuUsage() / deltas it produced (the figure to compare code by; robust\n' +
      'to other load), the same from /proc / deltas received, and the load generators\' CPU / deltas received:\n',
  );
  console.log(table(crows));
  const t = med[opts.targetLevel];
  if (!t || !t.runs || !Number.isFinite(t.p99)) {
    console.log(`\nTarget: no successful run at ${fmtInt(opts.targetLevel)} concurrent streams (is it in --levels?).`);
    return null;
  }
  const verdict = { level: opts.targetLevel, p99: t.p99, targetMs: opts.targetMs, met: t.p99 < opts.targetMs };
  if (opts.paceMs > 0) verdict.note = `--pace-ms ${opts.paceMs}: not the target's workload (the engine's own pace), informational only`;
  if (opts.clientRt > 0) verdict.note = `load generators under real-time scheduling (SCHED_FIFO ${opts.clientRt})`;
  else if (NCPU < 1 + opts.clientProcs) verdict.note = `load generators share the server's ${NCPU} CPUs: includes their wait for a CPU`;
  if (opts.serverNice > 0) verdict.note = `--server-nice ${opts.serverNice}: load generators given CPU priority over the server, not the default measurement`;
  if (opts.smoke) verdict.note = 'smoke run: cold start, ramp inside the window; a correctness check, not the measurement';
  console.log(
    `\nTarget: ${fmtInt(opts.targetLevel)} concurrent streams, added latency p99 < ${opts.targetMs} ms: ` +
      `p99 ${fmtMs(t.p99)} ms → ${verdict.met ? 'MET' : 'MISSED'}${verdict.note ? ` (${verdict.note})` : ''}`,
  );
  return verdict;
}

// ------------------------------------------------------------------------------------------------ main
async function main() {
  const opts = parseFlags(process.argv.slice(2));
  if (!existsSync(DIST_INDEX)) throw new Error(`${DIST_INDEX} not found: run \`npm run build\` first`);
  const tmp = mkdtempSync(join(tmpdir(), 'chat-bench-'));
  const resultsDir = join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const started = new Date();
  const outFile = opts.out ? resolve(opts.out) : join(resultsDir, `chat-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  const env = { node: process.version, cpus: NCPU, cpuModel: cpus()[0]?.model, memBytes: totalmem(), platform: `${process.platform} ${process.arch}` };
  console.log(
    `chat benchmark: levels ${opts.levels.join(', ')} concurrent streams; ${opts.rampMs} ms ramp, ${opts.warmupMs} ms warm-up, ${opts.durationMs} ms measured; ` +
      `${opts.runs} run(s); ≤ ${opts.clientProcs} load generator(s), ${opts.perSocket} stream(s) per socket${opts.serverNice ? `, server at nice ${opts.serverNice}` : ''}${opts.clientRt ? `, load generators at SCHED_FIFO ${opts.clientRt}` : ''}; node ${env.node}, ${env.cpus} CPUs`,
  );
  const runTag = randomBytes(3).toString('hex');
  const results = [];
  const discarded = [];
  for (let r = 0; r < opts.runs; r++) {
    for (const level of opts.levels) {
      let res;
      for (let attempt = 0; ; attempt++) {
        res = await runOne(level, r, opts, tmp, runTag);
        res.attempt = attempt + 1;
        if (!res.noisy || res.error || attempt >= opts.noisyRetries) break;
        res.discarded = true;
        discarded.push(res);
        console.log(
          `run ${r + 1} c=${level}  other processes used ${res.machine.otherProcessesCpuSeconds.toFixed(1)} s of CPU during the window ` +
            `(p99 was ${fmtMs(res.addedMs?.p99)} ms): discarded, repeating (${attempt + 1}/${opts.noisyRetries})`,
        );
      }
      results.push(res);
      if (res.error) {
        console.log(`run ${r + 1} c=${level}  FAILED: ${res.error.split('\n').slice(0, 3).join(' / ')}`);
        if (res.serverOutputTail) console.log(`  server output (tail):\n${res.serverOutputTail.replace(/^/gm, '    ')}`);
        continue;
      }
      console.log(
        `run ${r + 1} c=${String(level).padEnd(5)} added p50 ${fmtMs(res.addedMs.p50)} p99 ${fmtMs(res.addedMs.p99)} max ${fmtMs(res.addedMs.max, 1)} ms` +
          (res.gatewayMs ? ` (server part p99 ${fmtMs(res.gatewayMs.p99, 3)})` : '') +
          `  ${fmtInt(res.deltasPerSec)} deltas/s  TTFC p50 ${fmtMs(res.ttfcMs.p50, 1)} p99 ${fmtMs(res.ttfcMs.p99, 1)} ms` +
          `  ${fmtInt(res.streams)} measured streams (${fmtMs(res.words.mean, 1)} words), in flight ${fmtMs(res.meanInFlight, 0)}` +
          `  server CPU ${fmtMs(res.serverCpuPct, 0)}% (${fmtMs(res.serverCpuUsPerDelta, 1)} µs/delta received; ${fmtMs(res.serverCpuPerDelta?.us, 1)} µs/delta produced, cpuUsage)` +
          `, clients ${res.clientCpuSeconds.map((x) => x.toFixed(1)).join('+')} s (${fmtMs(res.clientCpuUsPerDelta, 1)} µs/delta)` +
          `  run-queue wait: server ${fmtMs(res.runQueueWait.server.waitSeconds)} s, clients ${res.runQueueWait.clients.map((c) => c.waitSeconds.toFixed(2)).join('+')} s` +
          `  clock ±${fmtMs(Math.max(...res.clock.clientMinusServerMs.map(Math.abs)), 3)} ms` +
          (res.ok ? '' : `  PROBLEMS: lost ${res.lost}, garbled ${res.garbled}, failed ${res.failed}, mismatched ${res.mismatched}, unexpected ${res.unexpected}${res.stalled ? ', STALLED' : ''}`) +
          (res.noisy ? '  NOISY' : ''),
      );
      if (!res.ok && res.problems?.length) console.log(`  ${res.problems.concat(res.mismatchExamples ?? []).slice(0, 5).join('\n  ')}`);
      if (res.server?.profileFile) console.log(`  profile: ${res.server.profileFile}`);
    }
  }
  // CHAT_BENCH_KEEP_RAW=1: keep the raw timestamp files (debug aid, not a flag).
  if (process.env.CHAT_BENCH_KEEP_RAW) console.log(`raw timestamp files kept in ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
  const med = summarize(results, opts.levels);
  const verdict = printSummary(med, opts);
  const noisy = results.filter((r) => r.noisy);
  if (noisy.length) console.warn(`\nwarning: ${noisy.length} run(s) had other processes using CPU: ${noisy.map((r) => `c=${r.level} run ${r.run}`).join(', ')}`);
  writeFileSync(outFile, JSON.stringify({ startedAt: started.toISOString(), argv: process.argv.slice(2), opts, env, results, discarded, medians: med, verdict }, null, 2));
  console.log(`\nraw results: ${outFile}`);
  const failed = results.filter((r) => !r.ok);
  if (failed.length) {
    console.error(`\nFAIL: ${failed.length} run(s) with lost/garbled streams or errors: ${failed.map((r) => `c=${r.level} run ${r.run}${r.error ? ' (error)' : ''}`).join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err?.stack ?? err);
  process.exit(2);
});
