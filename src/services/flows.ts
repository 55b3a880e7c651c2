import type { ConfigService } from "./config.js";

/** Config type of flow blueprints (the real server's name): key = blueprint name, value = JSON definition. */
export const BLUEPRINT_TYPE = "flow-blueprint";
/** Config type of started flows (the real server's name): key = flow id, value = JSON flow. */
export const FLOW_TYPE = "flow";
/** The blueprint and flow a fresh store starts with, so `flow: "default"` works out of the box. */
export const DEFAULT_FLOW = "default";

/** A flow blueprint: any JSON object; `parameters` may declare defaults, `interfaces` the services. */
export type BlueprintDefinition = Record<string, unknown>;

/** A started flow. */
export interface FlowRecord {
  id: string;
  /** Name of the blueprint it was started from. */
  blueprint: string;
  description: string;
  /** Parameters given at start, over the blueprint's defaults; values are strings (e.g. `model`). */
  parameters: Record<string, string>;
  /** The blueprint's `interfaces` at start (what the flow offers), `{}` when it declares none. */
  interfaces: Record<string, unknown>;
}

/** Why a flow operation failed; the dialect turns it into its own error. */
export class FlowError extends Error {
  constructor(
    readonly reason: "not-found" | "exists" | "invalid" | "in-use",
    message: string,
  ) {
    super(message);
    this.name = "FlowError";
  }
}

/** The blueprint a fresh store gets: no services of its own to wire, one `model` parameter without a default. */
export const DEFAULT_BLUEPRINT: BlueprintDefinition = {
  description: "livegate's default blueprint: every flow-hosted service, answered by the configured chat model",
  parameters: { model: { type: "string", description: "chat model for this flow; unset = the server's default model" } },
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A parameter value as a string (the real server's parameters are strings). */
const paramString = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));

/** Defaults a blueprint declares: `parameters: {name: "value"}` or `{name: {default: value, …}}`. */
function blueprintDefaults(def: BlueprintDefinition): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(def.parameters)) return out;
  for (const [name, spec] of Object.entries(def.parameters)) {
    if (isObject(spec)) {
      if (spec.default !== undefined && spec.default !== null) out[name] = paramString(spec.default);
    } else if (spec !== undefined && spec !== null) out[name] = paramString(spec);
  }
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Flow blueprints and started flows (TrustGraph's `flow` service), kept in the configuration under the
 * real server's types `flow-blueprint` and `flow`, so `config` shows them too and each change bumps the
 * config version. A flow names its blueprint and its parameters (e.g. which model to use).
 */
export class FlowService {
  constructor(private readonly config: ConfigService) {}

  /**
   * On a store whose configuration was never written, adds the `default` blueprint and starts the
   * `default` flow from it. Once anything was written (even deleting them), nothing is re-added.
   */
  async ensureDefaults(): Promise<void> {
    if ((await this.config.version()) > 0) return;
    await this.config.put([
      { type: BLUEPRINT_TYPE, key: DEFAULT_FLOW, value: JSON.stringify(DEFAULT_BLUEPRINT) },
      { type: FLOW_TYPE, key: DEFAULT_FLOW, value: JSON.stringify(this.stored(DEFAULT_FLOW, "Default flow", {}, DEFAULT_BLUEPRINT)) },
    ]);
  }

  listBlueprints(): Promise<string[]> {
    return this.config.list(BLUEPRINT_TYPE);
  }

  /** @throws FlowError not-found */
  async getBlueprint(name: string): Promise<BlueprintDefinition> {
    const text = await this.config.get(BLUEPRINT_TYPE, name);
    const def = text === undefined ? undefined : parseJson(text);
    if (!isObject(def)) throw new FlowError("not-found", `Blueprint not found: ${name}`);
    return def;
  }

  /** Adds or replaces a blueprint (running flows keep what they were started with). */
  async putBlueprint(name: string, definition: BlueprintDefinition): Promise<void> {
    await this.config.put([{ type: BLUEPRINT_TYPE, key: name, value: JSON.stringify(definition) }]);
  }

  /** @throws FlowError not-found, in-use (a started flow was made from it) */
  async deleteBlueprint(name: string): Promise<void> {
    await this.getBlueprint(name);
    const users = (await this.flows()).filter((f) => f.blueprint === name).map((f) => f.id);
    if (users.length > 0) throw new FlowError("in-use", `Blueprint ${name} is used by flow ${users.join(", ")}; stop it first`);
    await this.config.delete([{ type: BLUEPRINT_TYPE, key: name }]);
  }

  /**
   * Starts a flow from a blueprint; its parameters are the given ones over the blueprint's defaults.
   * @throws FlowError exists, not-found (blueprint)
   */
  async start(req: { id: string; blueprint: string; description: string; parameters: Record<string, unknown> }): Promise<FlowRecord> {
    if ((await this.config.get(FLOW_TYPE, req.id)) !== undefined) throw new FlowError("exists", `Flow already exists: ${req.id}`);
    const def = await this.getBlueprint(req.blueprint);
    const given = Object.fromEntries(Object.entries(req.parameters).map(([k, v]) => [k, paramString(v)]));
    const value = this.stored(req.blueprint, req.description, given, def);
    await this.config.put([{ type: FLOW_TYPE, key: req.id, value: JSON.stringify(value) }]);
    return this.fromStored(req.id, value)!;
  }

  /** @throws FlowError not-found */
  async stop(id: string): Promise<void> {
    if ((await this.config.get(FLOW_TYPE, id)) === undefined) throw new FlowError("not-found", `Flow not found: ${id}`);
    await this.config.delete([{ type: FLOW_TYPE, key: id }]);
  }

  /** Ids of the started flows, sorted. */
  list(): Promise<string[]> {
    return this.config.list(FLOW_TYPE);
  }

  /** @throws FlowError not-found */
  async get(id: string): Promise<FlowRecord> {
    const flow = await this.resolve(id);
    if (!flow) throw new FlowError("not-found", `Flow not found: ${id}`);
    return flow;
  }

  /** The started flow `id`, or undefined (what flow-hosted services run in). */
  async resolve(id: string): Promise<FlowRecord | undefined> {
    const text = await this.config.get(FLOW_TYPE, id);
    return text === undefined ? undefined : this.fromStored(id, parseJson(text));
  }

  private async flows(): Promise<FlowRecord[]> {
    const entries = await this.config.values(FLOW_TYPE);
    return entries.flatMap((e) => this.fromStored(e.key, parseJson(e.value)) ?? []);
  }

  /** The stored form, the real server's: `{"blueprint-name", description, parameters, interfaces}`. */
  private stored(blueprint: string, description: string, given: Record<string, string>, def: BlueprintDefinition): Record<string, unknown> {
    return {
      "blueprint-name": blueprint,
      description,
      parameters: { ...blueprintDefaults(def), ...given },
      interfaces: isObject(def.interfaces) ? def.interfaces : {},
    };
  }

  private fromStored(id: string, v: unknown): FlowRecord | undefined {
    if (!isObject(v) || typeof v["blueprint-name"] !== "string") return undefined;
    const params = isObject(v.parameters) ? v.parameters : {};
    return {
      id,
      blueprint: v["blueprint-name"],
      description: typeof v.description === "string" ? v.description : "",
      parameters: Object.fromEntries(Object.entries(params).map(([k, p]) => [k, paramString(p)])),
      interfaces: isObject(v.interfaces) ? v.interfaces : {},
    };
  }
}
