#!/usr/bin/env node
// Summarize a server profile of the chat benchmark (`run.mjs --cpu-prof`): where the server's CPU goes,
// by area (self time) and by function (inclusive time: a sample counts for every function on its stack).
//   node bench/chat/prof-summary.mjs bench/results/cpu-prof/<file>.cpuprofile [top=25]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/chat/prof-summary.mjs <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const where = (cf) => cf.url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, 'node_modules/').replace(/^.*\/dist\//, 'dist/');
const fnKey = (cf) => `${cf.functionName || '(anonymous)'}  ${where(cf)}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;

/** Area of a self-time sample: the innermost frame that says what the work is for. */
function areaOf(id) {
  const cf = byId.get(id).callFrame;
  if (['(garbage collector)', '(idle)', '(program)'].includes(cf.functionName)) return cf.functionName;
  // Walk outwards until a recognisable frame.
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const f = byId.get(cur).callFrame;
    const u = f.url;
    if (u.includes('better-sqlite3') || u.includes('kysely')) return 'SQLite (better-sqlite3 + kysely): conversation storage';
    if (u.includes('minisearch') || (u.includes('/engines/chat/embedded') && f.functionName === 'answer')) return 'embedded engine: search + answer building';
    if (f.functionName === 'writeUtf8String' || f.functionName === 'writev' || f.functionName === 'writeBuffer') return 'socket writes (write syscalls, loopback TCP)';
    if (u.includes('node_modules/ws/')) return 'ws (framing, reading, parsing)';
    if (f.functionName === 'stringify' || f.functionName === 'toISOString') return 'JSON encoding of frames';
    if (u.includes('fastify') || u.includes('pino')) return 'fastify / pino';
    if (u.includes('/dist/')) return `gateway JS: ${where(f).replace(/^dist\//, '')}`;
    if (u.startsWith('node:internal/timers') || f.functionName === 'processImmediate') return 'timers / setImmediate';
    if (u.startsWith('node:internal/process/task_queues')) return 'microtask / promise machinery';
  }
  return u0(cf);
}
const u0 = (cf) => (cf.url ? (cf.url.startsWith('node:') ? 'node: core' : where(cf)) : `(native) ${cf.functionName}`);

const self = new Map();
const incl = new Map();
const area = new Map();
let total = 0;
for (let i = 0; i < prof.samples.length; i++) {
  const id = prof.samples[i];
  const us = prof.timeDeltas[i] ?? 0;
  total += us;
  self.set(id, (self.get(id) ?? 0) + us);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = fnKey(byId.get(cur).callFrame);
    if (seen.has(k)) continue;
    seen.add(k);
    incl.set(k, (incl.get(k) ?? 0) + us);
  }
}
for (const [id, us] of self) {
  const a = areaOf(id);
  area.set(a, (area.get(a) ?? 0) + us);
}
const idle = area.get('(idle)') ?? 0;
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled, ${(((total - idle) / total) * 100).toFixed(0)}% busy\n\nby area (self time, innermost recognisable frame):`);
for (const [k, us] of [...area].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${pct(us)}  ${k}`);
console.log(`\ntop ${top} functions by inclusive time:`);
const skip = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);
for (const [k, us] of [...incl].filter(([k]) => !skip.has(k.split('  ')[0])).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${k}`);
console.log(`\ntop ${top} functions by self time:`);
const selfFn = new Map();
for (const [id, us] of self) {
  const k = fnKey(byId.get(id).callFrame);
  selfFn.set(k, (selfFn.get(k) ?? 0) + us);
}
for (const [k, us] of [...selfFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${k}`);
