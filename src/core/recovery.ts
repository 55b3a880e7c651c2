import type { Publication } from "./types.js";

/**
 * Merges a history read with live publications buffered while it ran: ascending, each offset once, only
 * offsets after `afterOffset`. Pure, so the exactly-once-in-order promise is tested in isolation.
 */
export function mergeRecovered(
  history: readonly Publication[],
  buffered: readonly Publication[],
  afterOffset: number,
): Publication[] {
  const out: Publication[] = [];
  let last = afterOffset;
  let h = 0;
  let b = 0;
  while (h < history.length || b < buffered.length) {
    const hp = history[h];
    const bp = buffered[b];
    let next: Publication;
    if (hp && (!bp || hp.offset <= bp.offset)) {
      next = hp;
      h += 1;
    } else {
      next = bp!;
      b += 1;
    }
    if (next.offset > last) {
      out.push(next);
      last = next.offset;
    }
  }
  return out;
}
