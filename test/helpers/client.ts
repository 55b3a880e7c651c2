import WebSocket, { type ClientOptions } from "ws";

/** A parsed JSON frame from the server. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Frame = Record<string, any>;

/** How a socket ended. */
export interface CloseInfo {
  code: number;
  reason: string;
}

/**
 * A WebSocket test client: collects JSON frames in order and lets a test wait for the next one that
 * matches, with a timeout whose message says what was expected and what arrived instead.
 */
export class TestClient {
  readonly frames: Frame[] = [];
  /** Raw text frames that were not JSON. */
  readonly texts: string[] = [];
  readonly closed: Promise<CloseInfo>;
  private waiters: (() => void)[] = [];
  private nextId = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data, isBinary) => {
      const text = isBinary ? "" : (data as Buffer).toString("utf8");
      try {
        this.frames.push(JSON.parse(text) as Frame);
      } catch {
        this.texts.push(text);
      }
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on("close", (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.wake();
      });
    });
    ws.on("error", () => undefined);
  }

  /** Opens a socket; rejects with the HTTP status if the upgrade is refused. */
  static connect(url: string, protocols?: string[], options?: ClientOptions): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols ?? [], options);
      const client = new TestClient(ws);
      ws.once("open", () => resolve(client));
      ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
      ws.once("error", reject);
    });
  }

  /** Sends an object as JSON, or a string as is. */
  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /**
   * Removes and returns the first frame (from the start of what arrived) matching `predicate`.
   * Non-matching frames stay for later calls.
   */
  async next(predicate: (f: Frame) => boolean = () => true, timeoutMs = 3000, what = "a matching frame"): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex(predicate);
      if (i >= 0) return this.frames.splice(i, 1)[0]!;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; unconsumed frames: ${JSON.stringify(this.frames).slice(0, 800)}`);
      }
      await this.wait(left);
    }
  }

  /** Next frame of a type. */
  nextOfType(type: string, timeoutMs?: number): Promise<Frame> {
    return this.next((f) => f.type === type, timeoutMs, `a "${type}" frame`);
  }

  /** Sends `{type, id, data}` and waits for the frame carrying the same id (reply or error). */
  async request(type: string, data?: unknown, timeoutMs?: number): Promise<Frame> {
    const id = `r${this.nextId++}`;
    this.send(data === undefined ? { type, id } : { type, id, data });
    return this.next((f) => f.id === id, timeoutMs, `the reply to ${type} ${id}`);
  }

  /** Resolves true if no matching frame arrives within `ms`. */
  async nothingWithin(ms: number, predicate: (f: Frame) => boolean = () => true): Promise<boolean> {
    try {
      await this.next(predicate, ms);
      return false;
    } catch {
      return true;
    }
  }

  /** Waits for the close; fails after `timeoutMs`. */
  async waitClosed(timeoutMs = 3000): Promise<CloseInfo> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`socket not closed within ${timeoutMs} ms; frames: ${JSON.stringify(this.frames).slice(0, 400)}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** Connects to `/ws` with a token and waits for `connected`. */
export async function connectChannels(url: string): Promise<{ client: TestClient; connected: Frame }> {
  const client = await TestClient.connect(url);
  const connected = await client.nextOfType("connected");
  return { client, connected };
}
