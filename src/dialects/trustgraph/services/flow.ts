import { FlowError, type FlowRecord, type FlowService } from "../../../services/flows.js";
import { operationOf, optionalObject, optionalString, requiredString, unknownOperation } from "../args.js";
import { TgError, type TgBody, type TgService } from "../service.js";

const OPERATIONS = [
  "list-blueprints",
  "get-blueprint",
  "put-blueprint",
  "delete-blueprint",
  "start-flow",
  "stop-flow",
  "list-flows",
  "get-flow",
] as const;

/**
 * The real server's names before blueprints were called blueprints (flow "classes"), which older clients
 * (the TypeScript client's `getFlowClasses`, the Python `list_classes`) still send.
 */
const CLASS_OPERATIONS: Record<string, string> = {
  "list-classes": "list-blueprints",
  "get-class": "get-blueprint",
  "put-class": "put-blueprint",
  "delete-class": "delete-blueprint",
};

/** A blueprint's name: `blueprint-name`, or the older `class-name`. */
function blueprintName(req: TgBody): string {
  if (req["blueprint-name"] === undefined && req["class-name"] !== undefined) return requiredString(req, "class-name");
  return requiredString(req, "blueprint-name");
}

/**
 * `blueprint-definition` as given: a JSON object, or (what the real Python client sends) its JSON text.
 */
function definitionOf(req: TgBody): Record<string, unknown> {
  let v = req["blueprint-definition"] ?? req["class-definition"];
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      throw new TgError("invalid-request", `"blueprint-definition" is not valid JSON`);
    }
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new TgError("invalid-request", `"blueprint-definition" is required (a JSON object or its JSON text)`);
  }
  return v as Record<string, unknown>;
}

/** The flow as the real server describes it; sent as JSON text, which real clients `json.loads`. */
const flowText = (f: FlowRecord): string =>
  JSON.stringify({ "blueprint-name": f.blueprint, description: f.description, parameters: f.parameters, interfaces: f.interfaces });

/** The class-era answer keys for the class-era operations. */
function classKeys(body: TgBody): TgBody {
  const out: TgBody = {};
  for (const [k, v] of Object.entries(body)) out[k.replace(/^blueprint-/, "class-")] = v;
  return out;
}

async function answer(flows: FlowService, req: TgBody): Promise<TgBody> {
  const asked = operationOf(req);
  const op = CLASS_OPERATIONS[asked];
  if (op !== undefined) return classKeys(await answer(flows, { ...req, operation: op }));
  switch (asked) {
    case "list-blueprints":
      return { "blueprint-names": await flows.listBlueprints() };
    case "get-blueprint":
      return { "blueprint-definition": JSON.stringify(await flows.getBlueprint(blueprintName(req))) };
    case "put-blueprint":
      await flows.putBlueprint(blueprintName(req), definitionOf(req));
      return {};
    case "delete-blueprint":
      await flows.deleteBlueprint(blueprintName(req));
      return {};
    case "start-flow": {
      const id = requiredString(req, "flow-id");
      const flow = await flows.start({
        id,
        blueprint: blueprintName(req),
        description: optionalString(req, "description", ""),
        parameters: optionalObject(req, "parameters"),
      });
      return { "flow-id": flow.id };
    }
    case "stop-flow": {
      const id = requiredString(req, "flow-id");
      await flows.stop(id);
      return { "flow-id": id };
    }
    case "list-flows":
      return { "flow-ids": await flows.list() };
    case "get-flow": {
      const flow = await flows.get(requiredString(req, "flow-id"));
      return { flow: flowText(flow), description: flow.description, parameters: flow.parameters };
    }
    default:
      throw unknownOperation("flow", asked, OPERATIONS);
  }
}

const ERROR_TYPES = { "not-found": "not-found", exists: "invalid-request", invalid: "invalid-request", "in-use": "invalid-request" } as const;

/**
 * `flow` (global): blueprints and started flows (docs/protocol-trustgraph.md, "flow"). One reply per
 * request; `blueprint-definition` and `flow` go out as JSON text, as the real server sends them.
 */
export const flowService: TgService = {
  kind: "flow",
  scope: "global",
  async *handle(call) {
    try {
      yield await answer(call.app.flows, call.request);
    } catch (err) {
      if (err instanceof FlowError) throw new TgError(ERROR_TYPES[err.reason], err.message);
      throw err;
    }
  },
};
