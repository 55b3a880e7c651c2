#!/usr/bin/env node
// Summarize a .cpuprofile (from `run.mjs --cpu-prof`): top functions by self time, and by package.
//   node bench/fanout/prof-summary.mjs bench/results/cpu-prof/<file>.cpuprofile [top=30]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/fanout/prof-summary.mjs <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 30);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map(); // node id → µs
for (let i = 0; i < prof.samples.length; i++) {
  const id = prof.samples[i];
  self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byFn = new Map();
const byPkg = new Map();
for (const [id, us] of self) {
  const { callFrame: cf } = byId.get(id);
  const where = cf.url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, 'node_modules/');
  const key = `${cf.functionName || '(anonymous)'}  ${where}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
  byFn.set(key, (byFn.get(key) ?? 0) + us);
  let pkg = '(native/vm)';
  if (cf.url.startsWith('node:')) pkg = 'node: core';
  else if (cf.url.includes('node_modules/')) pkg = cf.url.split('node_modules/').pop().split('/').slice(0, cf.url.includes('node_modules/@') ? 2 : 1).join('/');
  else if (cf.url) pkg = cf.url.replace(/^file:\/\//, '').split('/').slice(-2).join('/').replace(/\/[^/]*$/, '/…');
  if (['(garbage collector)', '(idle)', '(program)'].includes(cf.functionName)) pkg = cf.functionName;
  byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + us);
}
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled\n\nby package / area:`);
for (const [k, us] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${pct(us)}  ${k}`);
console.log(`\ntop ${top} functions by self time:`);
for (const [k, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${k}`);
