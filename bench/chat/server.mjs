// Server child process of the chat benchmark: one livegate gateway (the build in dist/, started with
// createServer) whose chat service streams from the gateway's own EmbeddedProvider, wrapped through
// createServer's public `chatProvider` hook so every delta it yields is timestamped. Driven by run.mjs over IPC.
//
// What the wrapper does and does not do: it calls the real provider's stream() with the request the chat
// service built, passes every event through unchanged and in order (return/cancellation included: its
// iterator forwards next/return/throw to the real generator's), and for each `delta` records (stream id,
// delta index, time) the moment the real generator hands the delta over, before the gateway does anything with it.
// The stream id is the number in the query's `[lgb:<id>]` tag (the last user message).
//
// With `split`, ws's WebSocket.prototype.send is wrapped in this process as well: for each chat.chunk frame
// (is_final false) it records (request_id, chunk index, time when send() returned). That splits the added
// latency into the gateway's part (delta → frame written) and the rest (written → client frame).
import { Session } from 'node:inspector/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { F64Log, nowMs, TAG_RE } from './lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const dist = (p) => pathToFileURL(join(ROOT, 'dist', p)).href;

const { createServer } = await import(dist('index.js'));
const { EmbeddedProvider } = await import(dist('engines/chat/embedded.js'));

const deltas = new F64Log(1 << 20); // (id, index, t) per provider delta
const writes = new F64Log(1 << 20); // (id, index, t) per chat.chunk frame written (split)
const chunkIndex = new Map(); // request id → chunk frames written so far
let server;
let profiler;
let providerCalls = 0;
let untagged = 0;

/**
 * The instrumented provider: delegates to the real one, records the time of each delta. Its stream is a
 * plain async iterator over the real generator's (not an async generator of its own): `next()` is the
 * real `next()` plus, when it resolves with a delta, one timestamp — so the wrapper adds one promise
 * reaction per event instead of a generator layer. `return()`/`throw()` go to the real generator, so
 * cancellation reaches it as before.
 */
class TimedProvider {
  constructor(inner, paceMs = 0) {
    this.inner = inner;
    this.paceMs = paceMs;
    this.name = inner.name;
    this.defaultModel = inner.defaultModel;
  }

  stream(req) {
    providerCalls += 1;
    let question = '';
    for (let i = req.messages.length - 1; i >= 0; i--) {
      if (req.messages[i].role === 'user') {
        question = req.messages[i].content;
        break;
      }
    }
    const m = TAG_RE.exec(question);
    const id = m ? Number(m[1]) : -1;
    if (id < 0) untagged += 1;
    const it = this.inner.stream(req)[Symbol.asyncIterator]();
    const paceMs = this.paceMs;
    let index = 0;
    // The moment the real generator hands a delta over (after the --pace-ms pause, if any).
    const stamp = (r) => {
      if (!r.done && r.value.type === 'delta' && id >= 0) deltas.push3(id, index++, nowMs());
      return r;
    };
    // --pace-ms (off by default): hold each delta back, like a model that emits a token every paceMs.
    const paced = (r) => (!r.done && r.value.type === 'delta' ? sleep(paceMs).then(() => stamp(r)) : r);
    return {
      next: () => it.next().then(paceMs > 0 ? paced : stamp),
      return: (v) => (it.return ? it.return(v) : Promise.resolve({ done: true, value: v })),
      throw: (e) => (it.throw ? it.throw(e) : Promise.reject(e)),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}

function patchWsSend() {
  const original = WebSocket.prototype.send;
  const PREFIX = '{"type":"chat.chunk"';
  const RID = '"request_id":"';
  WebSocket.prototype.send = function send(data, options, cb) {
    const r = original.call(this, data, options, cb);
    if (typeof data === 'string' && data.startsWith(PREFIX) && data.includes('"is_final":false')) {
      const t = nowMs();
      const at = data.lastIndexOf(RID);
      if (at > 0) {
        const rid = data.slice(at + RID.length, data.indexOf('"', at + RID.length));
        const i = chunkIndex.get(rid) ?? 0;
        chunkIndex.set(rid, i + 1);
        writes.push3(Number(rid), i, t);
      }
    }
    return r;
  };
}

async function start(m) {
  if (m.split) patchWsSend();
  let base = null;
  let wrapper = null;
  server = await createServer(
    {
      port: 0,
      host: '127.0.0.1',
      dataDir: m.dataDir,
      logLevel: 'warn',
      auth: { jwtSecret: m.jwtSecret, apiKey: m.apiKey },
      limits: { maxConnectionsPerUser: 100000, messagesPerSecond: 1000, messageBurst: 1000 },
    },
    {
      // The public hook: every chat-backed dialect streams from what this returns.
      chatProvider: (provider) => {
        base = provider;
        wrapper = new TimedProvider(provider, m.paceMs);
        return wrapper;
      },
    },
  );
  if (!(base instanceof EmbeddedProvider)) {
    throw new Error(`the gateway's chat provider is ${base?.name ?? 'none'}, not the embedded engine (LIVEGATE_LLM_BASE_URL set?)`);
  }
  if (server.context.chat.providerName !== wrapper.name) throw new Error('the chatProvider hook was not applied');
  const port = await server.listen();
  return { port, pid: process.pid };
}

async function dump(m) {
  writeFileSync(m.deltasFile, deltas.bytes());
  if (m.writesFile) writeFileSync(m.writesFile, writes.bytes());
  let profileFile = null;
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    mkdirSync(dirname(m.profileFile), { recursive: true });
    writeFileSync(m.profileFile, JSON.stringify(profile));
    profileFile = m.profileFile;
    profiler.disconnect();
    profiler = null;
  }
  const mem = process.memoryUsage();
  return { deltas: deltas.n / 3, writes: writes.n / 3, providerCalls, untagged, profileFile, rssBytes: mem.rss, heapUsedBytes: mem.heapUsed };
}

process.on('message', async (m) => {
  try {
    if (m.cmd === 'start') {
      process.send({ ev: 'started', ...(await start(m)) });
    } else if (m.cmd === 'clock') {
      process.send({ ev: 'clock', t: nowMs() });
    } else if (m.cmd === 'profile') {
      // Start of the measured window: profile the server until 'dump'.
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
      await profiler.post('Profiler.start');
      process.send({ ev: 'profiling' });
    } else if (m.cmd === 'mark') {
      // CPU time of this process and deltas produced, read together (the window's start and end).
      const cpu = process.cpuUsage();
      process.send({ ev: 'mark', deltas: deltas.n / 3, cpuUserUs: cpu.user, cpuSystemUs: cpu.system });
    } else if (m.cmd === 'count') {
      process.send({ ev: 'count', deltas: deltas.n / 3, providerCalls, untagged });
    } else if (m.cmd === 'dump') {
      process.send({ ev: 'dumped', ...(await dump(m)) });
    } else if (m.cmd === 'stop') {
      await server?.close();
      process.exit(0);
    }
  } catch (err) {
    process.send({ ev: 'error', message: String(err?.stack ?? err) });
  }
});

process.on('disconnect', () => process.exit(0));
process.send({ ev: 'hello' });
