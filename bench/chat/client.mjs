// Load-generator child process of the chat benchmark: holds a share of the chat sockets
// (`/api/v1/ws/chat`, one user per socket) and keeps `perSocket` chat streams in flight on each of them,
// closed loop: when a stream ends (`chat.done`), that slot sends its next `chat.query` at once.
// Records, per stream, the send time, the receive time of every `chat.chunk`, and checks the frame
// sequence (scenario → chunks → final empty chunk → response whose answer is the joined chunks → done).
// Driven by run.mjs over IPC.
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { F64Log, nowMs, queryFor, signJwt } from './lib.mjs';

const sockets = []; // { ws, index, open, slots: number }
const streams = new Map(); // request_id (string) → stream state
const log = new F64Log(1 << 20); // per finished measured stream: id, n, tSend, tScenario, tDone, t[0..n-1]

let idBase = 0;
let nextId = 0;
let phase = null; // see startRun
let counters;
let cpu0 = process.cpuUsage();
let loopDelay = null;
let connectedCount = 0;

function resetCounters() {
  counters = {
    started: 0,
    completed: 0,
    measured: 0, // streams sent inside the measured window
    measuredCompleted: 0,
    failed: 0, // chat.error / error frame for the stream
    garbled: 0, // frames out of order, answer ≠ joined chunks, bad content
    lost: 0, // in flight when the socket closed or the run ended
    unexpected: 0, // frames that belong to no stream in flight
    closedEarly: 0,
    chunks: 0,
    words: { min: Infinity, max: 0, sum: 0 },
    problems: [],
  };
}
resetCounters();

const problem = (text) => {
  if (counters.problems.length < 10) counters.problems.push(text);
};

function sendQuery(sock) {
  const id = nextId++;
  const rid = String(id);
  const st = { id, sock, measured: false, state: 0, tSend: 0, tScenario: NaN, tDone: NaN, times: new Float64Array(128), n: 0, text: '', failed: false };
  streams.set(rid, st);
  counters.started += 1;
  const frame = JSON.stringify({ type: 'chat.query', payload: { query: queryFor(id) }, request_id: rid });
  st.tSend = nowMs();
  st.measured = st.tSend >= phase.measureStart && st.tSend < phase.measureEnd;
  if (st.measured) {
    phase.measuredInFlight += 1;
    counters.measured += 1;
  }
  sock.ws.send(frame);
}

/** A slot's stream ended (any way): start the next one, or retire the slot. */
function slotFree(sock) {
  if (!phase) return;
  const more = nowMs() < phase.measureEnd || phase.measuredInFlight > 0;
  if (more && sock.open) sendQuery(sock);
  else {
    phase.activeSlots -= 1;
    if (phase.activeSlots === 0 && !phase.doneSent) {
      phase.doneSent = true;
      process.send({ ev: 'done', ...statusOf() });
    }
  }
}

function finish(st, how) {
  streams.delete(String(st.id));
  if (st.measured) phase.measuredInFlight -= 1;
  if (how === 'ok') {
    counters.completed += 1;
    const n = st.n;
    if (n < counters.words.min) counters.words.min = n;
    if (n > counters.words.max) counters.words.max = n;
    counters.words.sum += n;
    if (st.measured) {
      counters.measuredCompleted += 1;
      log.push(st.id);
      log.push(n);
      log.push(st.tSend);
      log.push(st.tScenario);
      log.push(st.tDone);
      for (let i = 0; i < n; i++) log.push(st.times[i]);
    }
  }
  slotFree(st.sock);
}

function garble(st, why, text) {
  counters.garbled += 1;
  problem(`stream ${st.id}: ${why}: ${text.slice(0, 160)}`);
  st.failed = true;
}

/** A non-final chunk of stream `st`, received at `t`. */
function onChunk(st, content, t, text) {
  if (st.state !== 1) return garble(st, 'chat.chunk out of order', text);
  if (content.length === 0) garble(st, 'empty non-final chunk', text);
  if (st.n === st.times.length) {
    const more = new Float64Array(st.times.length * 2);
    more.set(st.times);
    st.times = more;
  }
  st.times[st.n++] = t;
  st.text += content;
  counters.chunks += 1;
  if (t >= phase.measureStart && t < phase.measureEnd) phase.windowChunks += 1;
}

// A non-final chat.chunk exactly as the gateway writes it (src/dialects/codegraph/envelope.ts, ChatChunkFrames):
//   {"type":"chat.chunk","payload":{"content":<JSON string>,"is_final":false},"timestamp":"<ISO>","request_id":"<id>"}
// Such a frame is read without a JSON.parse of the whole frame: only the content's string literal is parsed.
// Anything that does not have exactly this shape goes through the full parse below, so what a frame means
// (and which stream and delta index it is matched to) is the same either way; only the cost differs.
const CHUNK_HEAD = '{"type":"chat.chunk","payload":{"content":';
const CHUNK_MID = ',"is_final":false},"timestamp":"';
const CHUNK_RID = '","request_id":"';

/** [content, request_id] of a non-final chat.chunk in the gateway's exact layout, or undefined. */
function fastChunk(text) {
  if (!text.startsWith(CHUNK_HEAD)) return undefined;
  const mid = text.lastIndexOf(CHUNK_MID);
  if (mid < CHUNK_HEAD.length) return undefined;
  const tsStart = mid + CHUNK_MID.length;
  const ridKey = text.indexOf('"', tsStart);
  if (ridKey < 0 || !text.startsWith(CHUNK_RID, ridKey) || !text.endsWith('"}')) return undefined;
  const ridStart = ridKey + CHUNK_RID.length;
  const ridEnd = text.length - 2;
  if (ridEnd < ridStart || text.indexOf('"', ridStart) !== ridEnd || text.indexOf('\\', ridStart) >= 0) return undefined;
  let content;
  try {
    content = JSON.parse(text.slice(CHUNK_HEAD.length, mid));
  } catch {
    return undefined;
  }
  if (typeof content !== 'string') return undefined;
  return [content, text.slice(ridStart, ridEnd)];
}

function onFrame(sock, buf, isBinary) {
  const t = nowMs();
  if (isBinary) {
    counters.unexpected += 1;
    return;
  }
  const text = buf.toString();
  const fast = fastChunk(text);
  if (fast !== undefined) {
    const st = streams.get(fast[1]);
    if (st && st.sock === sock) {
      onChunk(st, fast[0], t, text);
      return;
    }
    // No stream in flight for it: the full path reports it.
  }
  let msg;
  try {
    msg = JSON.parse(text);
  } catch {
    counters.garbled += 1;
    problem(`frame is not JSON: ${text.slice(0, 120)}`);
    return;
  }
  const st = msg.request_id !== undefined ? streams.get(msg.request_id) : undefined;
  if (!st || st.sock !== sock) {
    if (msg.type !== 'connected') {
      counters.unexpected += 1;
      problem(`frame for no stream in flight: ${text.slice(0, 160)}`);
    }
    return;
  }
  const bad = (why) => garble(st, why, text);
  switch (msg.type) {
    case 'chat.scenario':
      if (st.state !== 0) bad('chat.scenario out of order');
      st.state = 1;
      st.tScenario = t;
      break;
    case 'chat.chunk': {
      const p = msg.payload ?? {};
      if (typeof p.content !== 'string' || typeof p.is_final !== 'boolean') bad('chat.chunk without content/is_final');
      else if (p.is_final) {
        if (st.state !== 1) bad('chat.chunk out of order');
        else {
          if (p.content !== '') bad('final chunk not empty');
          st.state = 2;
        }
      } else onChunk(st, p.content, t, text);
      break;
    }
    case 'chat.response':
      if (st.state !== 2) bad('chat.response out of order');
      else if (msg.payload?.answer !== st.text) bad('answer differs from the joined chunks');
      st.state = 3;
      break;
    case 'chat.done':
      st.tDone = t;
      if (st.failed) {
        counters.failed += 1;
        finish(st, 'failed');
      } else if (st.state !== 3) {
        bad('chat.done before chat.response');
        counters.failed += 1;
        finish(st, 'failed');
      } else finish(st, 'ok');
      break;
    case 'chat.error':
      problem(`stream ${st.id}: ${String(buf).slice(0, 200)}`);
      st.failed = true; // chat.done follows
      break;
    case 'error':
      // Refused before it started (e.g. rate limit): no chat.done follows.
      problem(`stream ${st.id}: ${String(buf).slice(0, 200)}`);
      counters.failed += 1;
      finish(st, 'failed');
      break;
    default:
      bad(`unexpected frame type ${msg.type}`);
  }
}

function openSocket(index, url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 30_000 });
    const sock = { ws, index, open: false, slots: 0, queries: 0 };
    ws.on('message', (buf, isBinary) => {
      if (!sock.open) {
        const text = buf.toString();
        if (text.startsWith('{"type":"connected"')) {
          sock.open = true;
          connectedCount += 1;
          resolve(sock);
        } else reject(new Error(`before connected: ${text.slice(0, 200)}`));
        return;
      }
      onFrame(sock, buf, isBinary);
    });
    ws.on('error', (err) => {
      if (!sock.open) reject(err);
    });
    ws.on('close', (code) => {
      if (!sock.open) {
        reject(new Error(`closed before connected (code ${code})`));
        return;
      }
      sock.open = false;
      counters.closedEarly += 1;
      problem(`socket ${index} closed by the server (code ${code})`);
      for (const st of [...streams.values()]) {
        if (st.sock === sock) {
          counters.lost += 1;
          finish(st, 'lost');
        }
      }
    });
    sockets.push(sock);
  });
}

async function connectAll({ baseUrl, first, count, batch, secret }) {
  const t0 = nowMs();
  let failed = 0;
  const errors = [];
  for (let start = 0; start < count; start += batch) {
    const jobs = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const token = signJwt({ sub: `chat-bench-${first + i}`, exp: Math.floor(Date.now() / 1000) + 3600 }, secret);
      jobs.push(
        openSocket(first + i, `${baseUrl}/api/v1/ws/chat?token=${token}`).catch((err) => {
          failed += 1;
          if (errors.length < 5) errors.push(String(err?.message ?? err));
        }),
      );
    }
    await Promise.all(jobs);
  }
  return { connected: count - failed, failed, errors, ms: nowMs() - t0 };
}

function statusOf() {
  const { started, completed, measured, measuredCompleted, chunks, failed, garbled, lost, unexpected, closedEarly, problems } = counters;
  return { started, completed, measured, measuredCompleted, chunks, failed, garbled, lost, unexpected, closedEarly, problems, inFlight: streams.size };
}

/**
 * One continuous run: slot k (of all slots, across load generators) sends its first query at
 * startAt + rampMs·k/totalSlots, then closed loop. Streams sent in [measureStart, measureEnd) are measured;
 * after measureEnd the slots keep the load up with unmeasured streams until this process's measured streams
 * have all ended, then retire.
 */
function startRun({ startAt, rampMs, warmupMs, durationMs, perSocket, slotOffset, totalSlots }) {
  resetCounters();
  log.clear();
  const measureStart = startAt + warmupMs;
  const measureEnd = measureStart + durationMs;
  const live = sockets.filter((s) => s.open);
  phase = { measureStart, measureEnd, activeSlots: live.length * perSocket, doneSent: false, measuredInFlight: 0, windowChunks: 0 };
  const run = phase;
  run.inFlightSamples = 0;
  run.inFlightSum = 0;
  let sampler;
  setTimeout(() => {
    cpu0 = process.cpuUsage();
    loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    // Streams in flight, sampled every 20 ms inside the window (a check that the level was held).
    sampler = setInterval(() => {
      run.inFlightSamples += 1;
      run.inFlightSum += streams.size;
    }, 20);
  }, Math.max(0, measureStart - nowMs()));
  setTimeout(() => {
    run.cpu = process.cpuUsage(cpu0);
    loopDelay?.disable();
    clearInterval(sampler);
  }, Math.max(0, measureEnd - nowMs()));
  let k = slotOffset;
  for (const s of live) {
    s.slots = perSocket;
    for (let j = 0; j < perSocket; j++, k++) {
      const at = startAt + (rampMs * k) / totalSlots;
      setTimeout(() => sendQuery(s), Math.max(0, at - nowMs()));
    }
  }
}

function report(file) {
  // Streams still in flight now are lost.
  for (const st of [...streams.values()]) {
    counters.lost += 1;
    problem(`stream ${st.id} unfinished (state ${st.state}, ${st.n} chunks)`);
    streams.delete(String(st.id));
  }
  const cpu = phase?.cpu ?? process.cpuUsage(cpu0);
  const windowChunks = phase?.windowChunks ?? 0;
  const inFlightMean = phase?.inFlightSamples ? phase.inFlightSum / phase.inFlightSamples : NaN;
  phase = null;
  writeFileSync(file, log.bytes());
  let loop = null;
  if (loopDelay) {
    loopDelay.disable();
    loop = { p50Ms: loopDelay.percentile(50) / 1e6, p99Ms: loopDelay.percentile(99) / 1e6, maxMs: loopDelay.max / 1e6 };
    loopDelay = null;
  }
  const { words, ...rest } = counters;
  return {
    ...rest,
    windowChunks,
    inFlightMean,
    words: { min: words.min, max: words.max, mean: counters.completed ? words.sum / counters.completed : NaN },
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    loopDelay: loop,
    rssBytes: process.memoryUsage.rss(),
  };
}

process.on('message', async (m) => {
  try {
    if (m.cmd === 'connect') {
      idBase = m.idBase;
      nextId = idBase;
      process.send({ ev: 'connected', ...(await connectAll(m)) });
    } else if (m.cmd === 'clock') {
      process.send({ ev: 'clock', t: nowMs() });
    } else if (m.cmd === 'run') {
      startRun(m);
      process.send({ ev: 'running' });
    } else if (m.cmd === 'status') {
      process.send({ ev: 'status', ...statusOf() });
    } else if (m.cmd === 'report') {
      process.send({ ev: 'report', ...report(m.file), connected: connectedCount });
    } else if (m.cmd === 'exit') {
      for (const s of sockets) s.ws.terminate();
      process.exit(0);
    }
  } catch (err) {
    process.send({ ev: 'error', message: String(err?.stack ?? err) });
  }
});

process.on('disconnect', () => process.exit(0));
process.send({ ev: 'hello' });
