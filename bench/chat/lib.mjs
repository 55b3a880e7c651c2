// Shared helpers for the chat-streaming benchmark. The generic ones (clock, JWT, /proc readers,
// percentiles, the wait for a quiet machine) are in bench/lib/, shared with the fan-out benchmark, so
// both benches measure the same way.
import { readFileSync } from 'node:fs';

export { freePort, median, nowMs, percentileSorted, signJwt, sleep } from '../lib/util.mjs';
export { readCpuTimes, readRssBytes, readSchedstat, readSystemCpu, waitForQuiet } from '../lib/machine.mjs';

/**
 * Query tag: every measured query carries `[lgb:<id>]`, a number unique in the run. The instrumented
 * provider reads it from the last user message (the query text); the client uses the same number as the
 * frame's `request_id`, so a client frame and a provider delta are joined on (id, index of the delta).
 */
export const tagOf = (id) => `[lgb:${id}]`;
export const TAG_RE = /\[lgb:(\d+)\]/;

// ------------------------------------------------------------------------------------------ corpus
// Twelve short technical documents, one topic each. Every sentence names the document's keyword, so a
// query "Explain the <keyword> …" makes the embedded engine pick three sentences of that document:
// an answer of 11 intro words + 3 × ("From", the quoted title, the sentence) ≈ 70–90 words.
// No digits anywhere, so the numeric query tag never matches a document term.
const TOPICS = [
  ['scheduler', 'Job scheduler'],
  ['indexer', 'Code indexer'],
  ['tokenizer', 'Source tokenizer'],
  ['resolver', 'Symbol resolver'],
  ['planner', 'Query planner'],
  ['replicator', 'Log replicator'],
  ['compactor', 'Storage compactor'],
  ['throttler', 'Request throttler'],
  ['collector', 'Metrics collector'],
  ['validator', 'Schema validator'],
  ['notifier', 'Event notifier'],
  ['archiver', 'Snapshot archiver'],
];

const SENTENCES = [
  'The {k} keeps a small queue of pending work in memory and handles each item in the same order in which it arrived.',
  'When the {k} cannot finish an item, it records the error with its context and tries again later after a short and growing delay.',
  'Operators usually watch the {k} through its dashboard, which shows how much work is waiting and how long the oldest item has waited.',
  'Each instance of the {k} owns a disjoint share of the keys, so two instances never handle the same item at the same moment.',
  'A restart of the {k} loses nothing, because every accepted item is written to durable storage before the caller receives an answer.',
  'Configuration of the {k} lives in one small file that is read at start and again whenever the administrator sends the reload signal.',
  'Under heavy load the {k} sheds the least important work first and tells the callers plainly when they should come back and retry.',
  'Tests of the {k} run against a recorded trace of real traffic, so that changes in its behaviour show up before they reach production.',
];

/** The benchmark's documents, as `POST /api/v1/documents` bodies. */
export function corpus() {
  return TOPICS.map(([k, title]) => ({
    title,
    content: SENTENCES.map((s) => s.replace('{k}', k)).join(' '),
  }));
}

/** The query of stream `id` (the topic rotates with the id). */
export function queryFor(id) {
  const [k] = TOPICS[id % TOPICS.length];
  return `Explain the ${k} ${tagOf(id)}`;
}

// ------------------------------------------------------------------------------ growable f64 records
/** An append-only Float64 buffer (records of the hot path: no per-record allocation). */
export class F64Log {
  constructor(initial = 1 << 16) {
    this.buf = new Float64Array(initial);
    this.n = 0;
  }

  push3(a, b, c) {
    if (this.n + 3 > this.buf.length) this.grow();
    const buf = this.buf;
    buf[this.n] = a;
    buf[this.n + 1] = b;
    buf[this.n + 2] = c;
    this.n += 3;
  }

  push(x) {
    if (this.n + 1 > this.buf.length) this.grow();
    this.buf[this.n++] = x;
  }

  grow() {
    const next = new Float64Array(this.buf.length * 2);
    next.set(this.buf);
    this.buf = next;
  }

  clear() {
    this.n = 0;
  }

  bytes() {
    return Buffer.from(this.buf.buffer, 0, this.n * 8);
  }
}

export function readF64(file) {
  const buf = readFileSync(file);
  // Copy into an aligned buffer (a Buffer from the pool may not be 8-byte aligned).
  const out = new Float64Array(buf.byteLength / 8);
  new Uint8Array(out.buffer).set(buf);
  return out;
}
