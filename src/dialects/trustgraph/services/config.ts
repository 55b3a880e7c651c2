import type { ConfigEntry, ConfigKey, ConfigService } from "../../../services/config.js";
import { itemString, objectList, operationOf, requiredString, unknownOperation } from "../args.js";
import { TgError, type TgBody, type TgService } from "../service.js";

const OPERATIONS = ["config", "list", "get", "getvalues", "put", "delete"] as const;

const keysOf = (req: TgBody): ConfigKey[] => objectList(req, "keys", (o, p) => ({ type: itemString(o, p, "type"), key: itemString(o, p, "key") }));

/** A value as stored: strings as they are, anything else as its JSON text (the real server keeps strings). */
const valuesOf = (req: TgBody): ConfigEntry[] =>
  objectList(req, "values", (o, p) => {
    const v = o.value;
    if (v === undefined) throw new TgError("invalid-request", `"${p}.value" is required`);
    return { type: itemString(o, p, "type"), key: itemString(o, p, "key"), value: typeof v === "string" ? v : JSON.stringify(v) };
  });

async function answer(config: ConfigService, req: TgBody): Promise<TgBody> {
  const op = operationOf(req);
  switch (op) {
    case "config": {
      const { version, config: all } = await config.snapshot();
      return { version, config: all };
    }
    case "list": {
      const type = requiredString(req, "type");
      return { version: await config.version(), directory: await config.list(type) };
    }
    case "get": {
      const keys = keysOf(req);
      const values = await config.getMany(keys);
      if (values.length < keys.length) {
        const found = new Set(values.map((v) => `${v.type}/${v.key}`));
        const missing = keys.filter((k) => !found.has(`${k.type}/${k.key}`)).map((k) => `${k.type}/${k.key}`);
        throw new TgError("not-found", `Key not found: ${missing.join(", ")}`);
      }
      return { version: await config.version(), values };
    }
    case "getvalues": {
      const type = requiredString(req, "type");
      return { version: await config.version(), values: await config.values(type) };
    }
    case "put":
      return { version: await config.put(valuesOf(req)) };
    case "delete":
      return { version: await config.delete(keysOf(req)) };
    default:
      throw unknownOperation("config", op, OPERATIONS);
  }
}

/**
 * `config` (global): TrustGraph's configuration, `{type: {key: value}}` with string values and a version
 * bumped by every change (docs/protocol-trustgraph.md, "config"). One reply per request.
 */
export const configService: TgService = {
  kind: "config",
  scope: "global",
  async *handle(call) {
    yield await answer(call.app.config, call.request);
  },
};
