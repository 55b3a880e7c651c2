import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GatewayError } from "../../../src/core/errors.js";
import { DEFAULT_SCENARIOS } from "../../../src/core/options.js";
import { ScenarioRouter } from "../../../src/services/chat/scenarios.js";

describe("ScenarioRouter", () => {
  const router = new ScenarioRouter(DEFAULT_SCENARIOS);

  it("routes a query by its keywords, with a confidence below 1", () => {
    const c = router.choose("Find all SQL injection vulnerabilities");
    assert.equal(c.scenario.id, "security_audit", "SQL injection should go to security_audit");
    assert.ok(c.confidence > 0.5 && c.confidence < 1, `a routed confidence should be in (0.5, 1): ${c.confidence}`);
  });

  it("is surer the more keywords match", () => {
    const one = router.choose("is this unsafe?");
    const three = router.choose("unsafe sql injection");
    assert.equal(one.scenario.id, "security_audit", "one keyword");
    assert.equal(three.scenario.id, "security_audit", "three keywords");
    assert.ok(three.confidence > one.confidence, `three matches (${three.confidence}) should beat one (${one.confidence})`);
  });

  it("matches keywords as word prefixes, in any case, in Russian too", () => {
    assert.equal(router.choose("Explain the ARCHITECTURE of billing").scenario.id, "architecture", "upper case");
    assert.equal(router.choose("Где вызывается функция parse?").scenario.id, "code_search", "Russian code search");
    assert.equal(router.choose("Найди уязвимости в модуле").scenario.id, "security_audit", "Russian security audit (уязвим + найд + модул: most matches win)");
  });

  it("does not match a keyword inside a word", () => {
    // "call" is a code_search keyword; "recall" must not trigger it.
    const c = router.choose("I recall nothing");
    assert.equal(c.scenario.id, "general", `a keyword inside a word should not count: ${c.scenario.id}`);
  });

  it("falls back to the scenario without keywords at low confidence", () => {
    const c = router.choose("hello there");
    assert.equal(c.scenario.id, "general", "fallback scenario");
    assert.ok(c.confidence > 0 && c.confidence < 0.5, `fallback confidence should be low: ${c.confidence}`);
  });

  it("uses a forced scenario with confidence 1, whatever the query says", () => {
    const c = router.choose("Find all SQL injection vulnerabilities", "architecture");
    assert.equal(c.scenario.id, "architecture", "forced scenario");
    assert.equal(c.confidence, 1, "forced confidence");
  });

  it("refuses an unknown forced scenario with LG_ERR_SCENARIO_UNKNOWN", () => {
    assert.throws(
      () => router.choose("anything", "no_such_scenario"),
      (e: unknown) => e instanceof GatewayError && e.code === "LG_ERR_SCENARIO_UNKNOWN" && e.message.includes("no_such_scenario") && e.status === 400,
      "an unknown scenario_id",
    );
  });

  it("routes with configured scenarios, multi-word keywords included", () => {
    const custom = new ScenarioRouter([
      { id: "billing", description: "Billing questions.", keywords: ["invoice", "credit card"] },
      { id: "other", description: "Anything else.", keywords: [] },
    ]);
    assert.equal(custom.choose("Where is my invoice?").scenario.id, "billing", "single-word keyword");
    assert.equal(custom.choose("My Credit  Card was declined").scenario.id, "billing", "a two-word keyword should match the phrase");
    assert.equal(custom.choose("my card").scenario.id, "other", "half a phrase should not match");
    const tech = new ScenarioRouter([
      { id: "cpp", description: "C++.", keywords: ["c++"] },
      { id: "other", description: "Anything else.", keywords: [] },
    ]);
    assert.equal(tech.choose("a C++ template question").scenario.id, "cpp", "a keyword with punctuation should match as written");
    assert.equal(tech.choose("a careful question").scenario.id, "other", "c++ must not match every word starting with c");
  });

  it("falls back to the last scenario when every scenario has keywords", () => {
    const custom = new ScenarioRouter([
      { id: "a", description: "A.", keywords: ["alpha"] },
      { id: "b", description: "B.", keywords: ["beta"] },
    ]);
    assert.equal(custom.choose("gamma").scenario.id, "b", "fallback to the last scenario");
  });
});
