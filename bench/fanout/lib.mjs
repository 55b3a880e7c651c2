// Helpers of the fan-out benchmark. The generic ones live in bench/lib/ (shared with bench/chat).
import { nowMs } from '../lib/util.mjs';

export { freePort, median, nowMs, percentileSorted, signJwt, sleep } from '../lib/util.mjs';
export { readCpuSeconds, readCpuTimes, readRssBytes, readSystemCpu, waitForQuiet } from '../lib/machine.mjs';

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
