import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";

/** Prometheus metrics of one gateway; each gateway has its own registry (several may run in one process). */
export interface Metrics {
  readonly registry: Registry;
  readonly connections: Gauge<"dialect">;
  readonly messagesReceived: Counter<"dialect">;
  readonly messagesSent: Counter;
  readonly publications: Counter<"source">;
  readonly disconnects: Counter<"reason">;
}

/** Creates the registry; process metrics are included when `processMetrics` is set (the CLI server). */
export function createMetrics(processMetrics: boolean): Metrics {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    connections: new Gauge({ name: "livegate_connections", help: "Open connections", labelNames: ["dialect"], registers }),
    messagesReceived: new Counter({
      name: "livegate_messages_received_total",
      help: "Frames received from clients",
      labelNames: ["dialect"],
      registers,
    }),
    messagesSent: new Counter({ name: "livegate_messages_sent_total", help: "Publication frames sent to clients", registers }),
    publications: new Counter({ name: "livegate_publications_total", help: "Publications accepted", labelNames: ["source"], registers }),
    disconnects: new Counter({ name: "livegate_disconnects_total", help: "Server-initiated disconnects", labelNames: ["reason"], registers }),
  };
}
