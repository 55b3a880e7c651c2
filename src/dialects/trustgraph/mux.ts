/** A request admitted to a socket's mux, as its runner sees it. */
export interface Ticket {
  readonly id: string;
  /** Aborted when the request is cancelled or the socket closes. */
  readonly signal: AbortSignal;
  /** True once the request has ended (finished, failed or cancelled): send nothing more for it. */
  readonly done: boolean;
}

interface Job extends Ticket {
  done: boolean;
  running: boolean;
  /** What the request asked, to tell a client's retry (the same frame again) from a reused id. */
  readonly fingerprint: string;
  readonly controller: AbortController;
  readonly run: (ticket: Ticket) => Promise<void>;
  readonly cancelled: () => void;
}

/**
 * Why a request was not admitted: `retry` when the same request with the same id is still open (the
 * client resent it; its answer is on the way), `duplicate` when the id is open for another request.
 */
export type Refusal = "retry" | "duplicate" | "queue-full";

/**
 * One socket's scheduler (the real server's "outstanding requests"): at most `maxInFlight` requests
 * run at once, later ones wait in arrival order in a queue of at most `maxQueued`, and each can be
 * cancelled. Requests are independent: one that takes long never holds up another beyond the cap.
 */
export class Mux {
  private readonly jobs = new Map<string, Job>();
  private readonly waiting: Job[] = [];
  private running = 0;

  constructor(
    private readonly maxInFlight: number,
    private readonly maxQueued: number,
  ) {}

  /** Requests running now. */
  get inFlight(): number {
    return this.running;
  }

  /** Requests waiting for a free slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Runs `run` now or when a slot frees up. `cancelled` is called (once) if the request is cancelled
   * before it ends; it sends the request's final frame. `fingerprint` identifies what was asked (a resent
   * identical request is a retry). Returns why the request was refused, if it was.
   */
  submit(id: string, fingerprint: string, run: (ticket: Ticket) => Promise<void>, cancelled: () => void): Refusal | undefined {
    const open = this.jobs.get(id);
    if (open) return open.fingerprint === fingerprint ? "retry" : "duplicate";
    if (this.running >= this.maxInFlight && this.waiting.length >= this.maxQueued) return "queue-full";
    const controller = new AbortController();
    const job: Job = { id, fingerprint, signal: controller.signal, done: false, running: false, controller, run, cancelled };
    this.jobs.set(id, job);
    if (this.running < this.maxInFlight) this.start(job);
    else this.waiting.push(job);
    return undefined;
  }

  /**
   * Cancels a queued or running request: it ends at once (its `cancelled` callback sends the final
   * frame, its slot goes to the next request) and a running handler's signal is aborted. Returns false
   * when no request with that id is open.
   */
  cancel(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job) return false;
    if (!job.running) this.waiting.splice(this.waiting.indexOf(job), 1);
    this.end(job);
    job.controller.abort();
    job.cancelled();
    return true;
  }

  /** The socket closed: aborts every running request and forgets the queued ones, sending nothing. */
  closeAll(): void {
    this.waiting.length = 0;
    for (const job of [...this.jobs.values()]) {
      this.end(job);
      job.controller.abort();
    }
  }

  private start(job: Job): void {
    job.running = true;
    this.running += 1;
    // run() reports its own errors; the catch only guards the scheduler against a runner bug.
    void job
      .run(job)
      .catch(() => undefined)
      .finally(() => this.end(job));
  }

  /** Marks a request ended (idempotent) and starts the next waiting one in its slot. */
  private end(job: Job): void {
    if (job.done) return;
    job.done = true;
    this.jobs.delete(job.id);
    if (!job.running) return;
    this.running -= 1;
    const next = this.waiting.shift();
    if (next) this.start(next);
  }
}
