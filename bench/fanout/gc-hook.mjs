// Preloaded into every benchmarked server (`node --expose-gc --import <this file> …`), identically for all
// three, so the orchestrator can force a full GC before reading VmRSS without adding a route to the server.
// SIGUSR2 → two full GCs → a marker line on stderr that the orchestrator waits for.
import { writeSync } from 'node:fs';

process.on('SIGUSR2', () => {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
    writeSync(2, '\n__FANOUT_BENCH_GC_DONE__\n');
  } else {
    writeSync(2, '\n__FANOUT_BENCH_GC_UNAVAILABLE__\n');
  }
});
