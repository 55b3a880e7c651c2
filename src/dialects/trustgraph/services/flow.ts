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
 * `blueprint-definition` as given: a JSON object, or (what the real Python client sends) its JSON text.
 */
function definitionOf(req: TgBody): Record<string, unknown> {
  let v = req["blueprint-definition"];
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

async function answer(flows: FlowService, req: TgBody): Promise<TgBody> {
  const op = operationOf(req);
  switch (op) {
    case "list-blueprints":
      return { "blueprint-names": await flows.listBlueprints() };
    case "get-blueprint":
      return { "blueprint-definition": JSON.stringify(await flows.getBlueprint(requiredString(req, "blueprint-name"))) };
    case "put-blueprint":
      await flows.putBlueprint(requiredString(req, "blueprint-name"), definitionOf(req));
      return {};
    case "delete-blueprint":
      await flows.deleteBlueprint(requiredString(req, "blueprint-name"));
      return {};
    case "start-flow": {
      const id = requiredString(req, "flow-id");
      const flow = await flows.start({
        id,
        blueprint: requiredString(req, "blueprint-name"),
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
      throw unknownOperation("flow", op, OPERATIONS);
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
