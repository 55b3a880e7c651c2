import type { WebSocket } from "ws";
import type { Transport } from "../core/connection.js";

const TEXT = { binary: false } as const;

/** Adapts a `ws` socket to the core's Transport. */
export class WsTransport implements Transport {
  constructor(private readonly ws: WebSocket) {}

  send(data: string | Buffer): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(data, TEXT);
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
  }

  ping(): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.ping();
  }
}
