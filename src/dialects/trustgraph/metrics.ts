import { Counter, Histogram, type Registry } from "prom-client";

/** Request metrics of the TrustGraph socket and REST twins (the real server's `tg_gateway_request_*`, livegate-named). */
export interface TgMetrics {
  /** One finished request: its service, `ok`, `cancelled` or the error type, and how long it ran. */
  observe(service: string, status: string, seconds: number): void;
}

const byRegistry = new WeakMap<Registry, TgMetrics>();

/**
 * The metrics in a gateway's registry, created on first use (the socket and the REST twins share them).
 * Labels are bounded: `service` is always a served service name, `status` an error type or `ok`.
 */
export function tgMetrics(registry: Registry): TgMetrics {
  let m = byRegistry.get(registry);
  if (!m) {
    const registers = [registry];
    const requests = new Counter({
      name: "livegate_trustgraph_requests_total",
      help: "TrustGraph requests finished, by service and status (ok, cancelled or the error type)",
      labelNames: ["service", "status"],
      registers,
    });
    const duration = new Histogram({
      name: "livegate_trustgraph_request_duration_seconds",
      help: "Time from admission to the final frame of TrustGraph requests, by service",
      labelNames: ["service"],
      buckets: [0.005, 0.025, 0.1, 0.5, 1, 2.5, 10, 30, 120],
      registers,
    });
    m = {
      observe(service, status, seconds) {
        requests.inc({ service, status });
        duration.observe({ service }, seconds);
      },
    };
    byRegistry.set(registry, m);
  }
  return m;
}
