import type { CloseInfo, Frame, TestClient } from "./client.js";

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `cond` every 10 ms until it is true; fails after `timeoutMs` with `what` in the message. */
export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** True for a publication event on `channel` (events carry `channel` and a numeric `offset`). */
export const isPublicationOn =
  (channel: string) =>
  (f: Frame): boolean =>
    f.channel === channel && typeof f.offset === "number";

/** Offsets as runs, e.g. `1..5,7,9..12`; "none" when empty. */
export function ranges(offsets: readonly number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < offsets.length; ) {
    let j = i;
    while (j + 1 < offsets.length && offsets[j + 1] === offsets[j]! + 1) j += 1;
    runs.push(j === i ? `${offsets[i]}` : `${offsets[i]}..${offsets[j]}`);
    i = j + 1;
  }
  return runs.join(",") || "none";
}

/**
 * Takes the next `count` publications on `channel`, in arrival order. Fails at once, saying how it
 * closed, if the socket closes before they all arrived.
 */
export async function takePublications(client: TestClient, channel: string, count: number, timeoutMs = 3000): Promise<Frame[]> {
  const out: Frame[] = [];
  let closedWith: CloseInfo | undefined;
  void client.closed.then((info) => (closedWith = info));
  const deadline = Date.now() + timeoutMs;
  const got = (): string => ranges(out.map((f) => f.offset as number));
  while (out.length < count) {
    const i = client.frames.findIndex(isPublicationOn(channel));
    if (i >= 0) {
      out.push(client.frames.splice(i, 1)[0]!);
      continue;
    }
    if (closedWith) {
      throw new Error(`socket closed (${closedWith.code} ${closedWith.reason}) after ${out.length} of ${count} publications on ${channel}; got offsets ${got()}`);
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms with ${out.length} of ${count} publications on ${channel}; got offsets ${got()}`);
    await nextEvent(client, Math.min(left, 100));
  }
  return out;
}

/** Resolves on the client's next message or close (the client has already stored the frame), or after `ms`. */
function nextEvent(client: TestClient, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      client.ws.off("message", done);
      client.ws.off("close", done);
      resolve();
    }
    client.ws.on("message", done);
    client.ws.on("close", done);
  });
}

/**
 * Every frame a client's socket receives, in arrival order, without consuming them from the client;
 * `seq` of a frame says which came first.
 */
export class FrameLog {
  readonly frames: Frame[] = [];

  constructor(client: TestClient) {
    client.ws.on("message", (data, isBinary) => {
      if (isBinary) return;
      try {
        this.frames.push(JSON.parse((data as Buffer).toString("utf8")) as Frame);
      } catch {
        // not JSON: the client keeps it in `texts`
      }
    });
  }

  /** Index of the first frame matching `pred`, or -1. */
  indexOf(pred: (f: Frame) => boolean): number {
    return this.frames.findIndex(pred);
  }

  /** Offsets of the publications on `channel`, in arrival order. */
  offsets(channel: string): number[] {
    return this.frames.filter(isPublicationOn(channel)).map((f) => f.offset as number);
  }
}

/**
 * Describes the first difference between the expected stream of offsets (and data) and what a client
 * processed: a missing offset, a duplicate, an offset out of order or different data. Undefined when equal.
 */
export function firstStreamProblem(
  expected: readonly { offset: number; data: unknown }[],
  actual: readonly { offset: number; data: unknown }[],
): string | undefined {
  const seen = new Set<number>();
  for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
    const e = expected[i];
    const a = actual[i];
    if (a && seen.has(a.offset)) return `duplicate offset ${a.offset} at index ${i}`;
    if (a) seen.add(a.offset);
    if (!a) return `missing offset ${e!.offset} (stream ends after ${actual.length} publications, last offset ${actual.at(-1)?.offset ?? "none"})`;
    if (!e) return `unexpected extra offset ${a.offset} at index ${i}`;
    if (a.offset !== e.offset) {
      return a.offset > e.offset
        ? `missing offset ${e.offset} at index ${i} (got ${a.offset} instead)`
        : `offset ${a.offset} out of order at index ${i} (expected ${e.offset})`;
    }
    if (JSON.stringify(a.data) !== JSON.stringify(e.data)) {
      return `offset ${a.offset} carries ${JSON.stringify(a.data)}, expected ${JSON.stringify(e.data)}`;
    }
  }
  return undefined;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
