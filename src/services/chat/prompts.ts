import { z } from "zod";

/**
 * Prompt templates as TrustGraph stores them in its configuration (config type `prompt`):
 * `template.<id>` holds JSON `{"prompt": "<template>", "response-type": "text" | "json", "schema"?: {…}}`,
 * `system` a JSON string (the system prompt template, default "Be helpful."), and `template-index` a
 * JSON array of the ids (informational here: any `template.<id>` present can be used).
 *
 * Templates use the subset of the ibis/Jinja syntax TrustGraph's templates use: `{{ name }}`,
 * `{{ name.field }}`, `{% for x in list %}…{% endfor %}` and `{% if name %}…{% else %}…{% endif %}`.
 */

/** The config type prompt templates are stored under. */
export const PROMPT_CONFIG_TYPE = "prompt";
/** The system prompt when the config has none (TrustGraph's default). */
export const DEFAULT_SYSTEM_PROMPT = "Be helpful.";

/** A stored template. */
export interface PromptTemplate {
  id: string;
  prompt: string;
  responseType: "text" | "json";
  schema?: unknown;
}

/** A template that cannot be used, or a render that failed; the message says why. */
export class PromptTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PromptTemplateError";
  }
}

/**
 * Reads `template.<id>` from its stored config value.
 * @throws PromptTemplateError when the value is not the expected JSON
 */
export function parseTemplate(id: string, raw: string): PromptTemplate {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    throw new PromptTemplateError(`template "${id}" is not JSON: store {"prompt": "…", "response-type": "text"}`);
  }
  const d = data as { prompt?: unknown; "response-type"?: unknown; schema?: unknown } | null;
  if (typeof d !== "object" || d === null || typeof d.prompt !== "string") {
    throw new PromptTemplateError(`template "${id}" has no "prompt" string`);
  }
  const rt = d["response-type"] ?? "text";
  if (rt !== "text" && rt !== "json") throw new PromptTemplateError(`template "${id}": response-type "${String(rt)}" is not supported (text, json)`);
  return { id, prompt: d.prompt, responseType: rt, ...(d.schema === undefined ? {} : { schema: d.schema }) };
}

/** The system prompt template from its stored config value (a JSON string), or the default. */
export function parseSystem(raw: string | undefined): string {
  if (raw === undefined) return DEFAULT_SYSTEM_PROMPT;
  try {
    const v = JSON.parse(raw) as unknown;
    return typeof v === "string" ? v : DEFAULT_SYSTEM_PROMPT;
  } catch {
    // A plain, unquoted string is taken as it is (the real service would fall back to its default).
    return raw;
  }
}

type Node =
  | { kind: "text"; text: string }
  | { kind: "var"; path: string }
  | { kind: "for"; name: string; path: string; body: Node[] }
  | { kind: "if"; path: string; then: Node[]; otherwise: Node[] };

const TOKEN = /\{\{\s*([\w.]+)\s*\}\}|\{%-?\s*(for\s+(\w+)\s+in\s+([\w.]+)|endfor|if\s+(not\s+)?([\w.]+)|else|endif)\s*-?%\}/gu;

function parse(template: string, id: string): Node[] {
  const root: Node[] = [];
  const stack: { nodes: Node[]; node?: Extract<Node, { kind: "for" | "if" }>; inElse?: boolean }[] = [{ nodes: root }];
  const top = () => stack.at(-1)!;
  let last = 0;
  for (const m of template.matchAll(TOKEN)) {
    if (m.index > last) top().nodes.push({ kind: "text", text: template.slice(last, m.index) });
    last = m.index + m[0].length;
    const [, varPath, tag, forName, forPath, not, ifPath] = m;
    if (varPath) top().nodes.push({ kind: "var", path: varPath });
    else if (forName && forPath) {
      const node: Node = { kind: "for", name: forName, path: forPath, body: [] };
      top().nodes.push(node);
      stack.push({ nodes: node.body, node });
    } else if (ifPath) {
      // `if not x` is `if x` with the branches swapped.
      const node: Node = { kind: "if", path: ifPath, then: [], otherwise: [] };
      top().nodes.push(node);
      stack.push({ nodes: not ? node.otherwise : node.then, node, inElse: Boolean(not) });
    } else if (tag === "else") {
      const t = top();
      if (t.node?.kind !== "if") throw new PromptTemplateError(`template "${id}": {% else %} outside {% if %}`);
      t.nodes = t.inElse ? t.node.then : t.node.otherwise;
      t.inElse = !t.inElse;
    } else {
      const want = tag === "endfor" ? "for" : "if";
      if (top().node?.kind !== want) throw new PromptTemplateError(`template "${id}": {% ${tag} %} without its {% ${want} %}`);
      stack.pop();
    }
  }
  if (stack.length > 1) throw new PromptTemplateError(`template "${id}": {% ${top().node!.kind} %} is not closed`);
  if (last < template.length) root.push({ kind: "text", text: template.slice(last) });
  return root;
}

function lookup(scope: Record<string, unknown>, path: string): unknown {
  let v: unknown = scope;
  for (const part of path.split(".")) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

const truthy = (v: unknown): boolean => (Array.isArray(v) ? v.length > 0 : Boolean(v));
const show = (v: unknown): string => (v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v));

function renderNodes(nodes: readonly Node[], scope: Record<string, unknown>): string {
  let out = "";
  for (const n of nodes) {
    if (n.kind === "text") out += n.text;
    else if (n.kind === "var") out += show(lookup(scope, n.path));
    else if (n.kind === "if") out += renderNodes(truthy(lookup(scope, n.path)) ? n.then : n.otherwise, scope);
    else {
      const list = lookup(scope, n.path);
      if (!Array.isArray(list)) continue;
      for (const item of list) out += renderNodes(n.body, { ...scope, [n.name]: item });
    }
  }
  return out;
}

/**
 * Fills a template with variables (any JSON values; strings are inserted as they are, other values as
 * JSON). A variable the template names but the request lacks renders as nothing, as in ibis.
 * @throws PromptTemplateError for a malformed template
 */
export function renderTemplate(template: string, variables: Record<string, unknown>, id = "template"): string {
  return renderNodes(parse(template, id), variables);
}

/**
 * The JSON value in a model's answer: the contents of a ```json fence if there is one, else the whole
 * answer. @throws PromptTemplateError when it is not JSON
 */
export function parseJsonAnswer(text: string): unknown {
  const fenced = /```(?:json)?(.*?)```/su.exec(text);
  try {
    return JSON.parse((fenced ? fenced[1]! : text).trim());
  } catch {
    throw new PromptTemplateError("the model's answer is not JSON");
  }
}

/**
 * Checks a json template's answer against the template's JSON Schema (zod's `fromJSONSchema`), as the
 * real service validates with jsonschema. @throws PromptTemplateError naming the first mismatches, or
 * saying the schema itself cannot be used
 */
export function checkSchema(id: string, schema: unknown, value: unknown): void {
  let validator: z.ZodType;
  try {
    validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (err) {
    throw new PromptTemplateError(`template "${id}": its schema cannot be used: ${err instanceof Error ? err.message : String(err)}`);
  }
  const r = validator.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join(".") : "(answer)"}: ${i.message}`);
    throw new PromptTemplateError(`the model's answer does not match the template's schema: ${issues.join("; ")}`);
  }
}
