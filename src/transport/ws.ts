import * as wsModule from "ws";
import type { WebSocket } from "ws";
import type { SharedFrame, Transport } from "../core/connection.js";

const TEXT = { binary: false } as const;
const TEXT_FRAME = { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false } as const;

/** ws internals used to write a pre-framed message (Socket.IO's engine.io does the same). */
interface WsInternals {
  _sender?: { sendFrame?(list: Buffer[]): void; _state?: number };
}

/** ws exports its Sender at runtime (`ws/wrapper.mjs`); @types/ws does not declare it. */
const Sender = (wsModule as unknown as { Sender: { frame(data: Buffer, options: typeof TEXT_FRAME): Buffer[] } }).Sender;

/** Frames `data` as one unmasked, unfragmented text frame: header and payload in one buffer. */
function wsTextFrame(data: Buffer): Buffer {
  const parts = Sender.frame(data, TEXT_FRAME);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** Adapts a `ws` socket to the core's Transport. */
export class WsTransport implements Transport {
  constructor(private readonly ws: WebSocket) {}

  send(data: string | Buffer): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(data, TEXT);
  }

  /**
   * Server frames are unmasked, so one publication's frame bytes are the same for every socket: frame
   * once, then write the bytes straight through ws's sender (one write per socket, no per-socket framing).
   * Falls back to `ws.send` if the sender is busy (never, without compression) or its internals changed.
   */
  sendShared(frame: SharedFrame): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const sender = (this.ws as unknown as WsInternals)._sender;
    if (sender?.sendFrame && sender._state === 0) {
      frame.wire ??= wsTextFrame(frame.data);
      sender.sendFrame([frame.wire]);
    } else {
      this.ws.send(frame.data, TEXT);
    }
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
