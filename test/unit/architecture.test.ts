import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { describe, it } from "node:test";

// The layer rules of DESIGN.md §3, checked on the sources (compiled test runs from build-test/test/unit).
const src = resolve(import.meta.dirname, "../../../src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** Every relative import of a file, resolved to a path under src/ (e.g. "core/hub.ts"). */
function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:import|export)[^'"]*?from\s+["'](\.[^"']+)["']/g)].map((m) => m[1]!);
  return specs.map((s) => relative(src, resolve(dirname(file), s)).replace(/\.js$/, ".ts"));
}

const layerOf = (p: string) => p.split("/")[0]!;

describe("the layers of DESIGN.md", () => {
  const all = files(src).map((f) => ({ path: relative(src, f), deps: imports(f) }));

  it("keep core free of dialects, services, transport, HTTP and engine implementations", () => {
    const allowedEngines = new Set(["engines/broker/broker.ts", "engines/store/store.ts"]);
    for (const f of all.filter((x) => layerOf(x.path) === "core")) {
      for (const d of f.deps) {
        const layer = layerOf(d);
        assert.ok(!["dialects", "services", "transport", "http", "cli"].includes(layer), `${f.path} imports ${d}`);
        if (layer === "engines") assert.ok(allowedEngines.has(d), `${f.path} imports the engine implementation ${d}; use the interface`);
      }
    }
  });

  it("keep protocol/ importing nothing", () => {
    for (const f of all.filter((x) => layerOf(x.path) === "protocol")) {
      for (const d of f.deps) assert.equal(layerOf(d), "protocol", `${f.path} imports ${d}`);
    }
  });

  it("keep engines and services below the dialects", () => {
    for (const f of all.filter((x) => ["engines", "services"].includes(layerOf(x.path)))) {
      for (const d of f.deps) {
        assert.ok(!["dialects", "transport", "http", "cli"].includes(layerOf(d)), `${f.path} imports ${d}`);
        if (layerOf(f.path) === "engines") assert.notEqual(layerOf(d), "services", `${f.path} (an engine) imports the service ${d}`);
      }
    }
  });

  it("never let one dialect import another", () => {
    for (const f of all.filter((x) => x.path.startsWith("dialects/") && x.path.split("/").length > 2)) {
      const own = f.path.split("/")[1];
      for (const d of f.deps) {
        const parts = d.split("/");
        if (parts[0] === "dialects" && parts.length > 2) assert.equal(parts[1], own, `${f.path} imports another dialect: ${d}`);
      }
    }
  });
});
