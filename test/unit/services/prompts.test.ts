import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_SYSTEM_PROMPT, PromptTemplateError, checkSchema, parseJsonAnswer, parseSystem, parseTemplate, renderTemplate } from "../../../src/services/chat/prompts.js";

describe("prompt templates (TrustGraph's config type `prompt`)", () => {
  it("fills {{ name }} and {{ name.field }} with strings as they are and other values as JSON", () => {
    const out = renderTemplate("Q: {{question}} / {{ user.name }} / {{ n }} / {{ list }} / [{{missing}}]", {
      question: "Why?",
      user: { name: "Ann" },
      n: 3,
      list: [1, "a"],
    });
    assert.equal(out, 'Q: Why? / Ann / 3 / [1,"a"] / []');
  });

  it("repeats {% for %} bodies and picks {% if %} / {% else %} branches, nested", () => {
    const t = "{% for d in docs %}- {{ d.title }}{% if d.tags %} ({{ d.tags }}){% else %} (untagged){% endif %}\n{% endfor %}{% if not docs %}none{% endif %}";
    assert.equal(
      renderTemplate(t, { docs: [{ title: "A", tags: "x" }, { title: "B" }] }),
      "- A (x)\n- B (untagged)\n",
    );
    assert.equal(renderTemplate(t, { docs: [] }), "none");
  });

  it("rejects malformed templates with a message that says what is wrong", () => {
    assert.throws(() => renderTemplate("{% for x in xs %}open", {}, "t1"), new PromptTemplateError('template "t1": {% for %} is not closed'));
    assert.throws(() => renderTemplate("{% endif %}", {}, "t2"), new PromptTemplateError('template "t2": {% endif %} without its {% if %}'));
  });

  it("reads template.<id> values and the system prompt as the real service stores them", () => {
    assert.deepEqual(parseTemplate("q", '{"prompt":"Hi {{x}}","response-type":"json","schema":{"type":"object"}}'), {
      id: "q",
      prompt: "Hi {{x}}",
      responseType: "json",
      schema: { type: "object" },
    });
    assert.deepEqual(parseTemplate("q", '{"prompt":"Hi"}'), { id: "q", prompt: "Hi", responseType: "text" });
    assert.throws(() => parseTemplate("q", "not json"), /template "q" is not JSON/);
    assert.throws(() => parseTemplate("q", '{"prompt":"x","response-type":"jsonl"}'), /response-type "jsonl" is not supported/);
    assert.equal(parseSystem('"You are {{role}}."'), "You are {{role}}.");
    assert.equal(parseSystem(undefined), DEFAULT_SYSTEM_PROMPT);
  });

  it("reads a JSON answer, fenced or not", () => {
    assert.deepEqual(parseJsonAnswer('Sure:\n```json\n{"a": 1}\n```'), { a: 1 });
    assert.deepEqual(parseJsonAnswer(' [1, 2] '), [1, 2]);
    assert.throws(() => parseJsonAnswer("no json here"), /the model's answer is not JSON/);
  });

  it("checks a json answer against the template's JSON Schema, naming what does not match", () => {
    const schema = { type: "array", items: { type: "object", properties: { name: { type: "string" } }, required: ["name"] } };
    checkSchema("people", schema, [{ name: "Ada" }]);
    assert.throws(
      () => checkSchema("people", schema, [{ name: 7 }]),
      new PromptTemplateError("the model's answer does not match the template's schema: 0.name: Invalid input: expected string, received number"),
    );
    assert.throws(() => checkSchema("people", { type: "bogus" }, 1), /template "people": its schema cannot be used: /);
  });
});
