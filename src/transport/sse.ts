import type { ServerResponse } from "node:http";
import type { SharedFrame, Transport } from "../core/connection.js";

/** Headers of every `text/event-stream` answer. */
export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  // Proxies (nginx) must not buffer the stream.
  "x-accel-buffering": "no",
} as const;

/**
 * One Server-Sent Events message: `id:` (when given), `event:`, one `data:` line per line of `data`, and
 * the blank line that ends it (WHATWG HTML, "Server-sent events", 9.2.6).
 */
export function sseMessage(event: string, data: string, id?: string): string {
  const lines = data.split(/\r\n|\r|\n/).map((l) => `data: ${l}\n`).join("");
  return `${id !== undefined ? `id: ${id}\n` : ""}event: ${event}\n${lines}\n`;
}

/**
 * A Server-Sent Events response as the core's Transport: frames (already SSE messages) are written as
 * they are; a ping is a comment line. An SSE client never sends anything, so the connection counts a
 * ping that could be written as a sign of life (`onAlive`), and the socket's close as the client leaving.
 */
export class SseTransport implements Transport {
  /** Called when a ping went out on an open response: the hub's idle check must not close a listening client. */
  onAlive: (() => void) | undefined;

  constructor(private readonly res: ServerResponse) {}

  send(data: string | Buffer): void {
    if (this.open) this.res.write(data);
  }

  sendShared(frame: SharedFrame): void {
    if (this.open) this.res.write(frame.data);
  }

  get bufferedAmount(): number {
    return this.res.writableLength;
  }

  close(): void {
    if (!this.res.writableEnded) this.res.end();
  }

  ping(): void {
    if (!this.open) return;
    this.res.write(": ping\n\n");
    this.onAlive?.();
  }

  private get open(): boolean {
    return !this.res.writableEnded && !this.res.destroyed;
  }
}
