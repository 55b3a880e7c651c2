import type { ScenarioOptions } from "../../core/options.js";
import { GatewayError } from "../../core/errors.js";

/** The scenario a query was routed to, and how sure the router is (0–1). */
export interface ScenarioChoice {
  scenario: ScenarioOptions;
  confidence: number;
}

const FALLBACK_CONFIDENCE = 0.3;

const WORD = /^[\p{L}\p{N}_]+$/u;
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Whether `keyword` starts a word of the query. A plain word is a prefix ("vulnerab" matches
 * "vulnerabilities"); a phrase or a keyword with punctuation ("credit card", "c++", "node.js") must
 * appear as written, starting at a word boundary, spaces collapsed.
 */
function matches(keyword: string, words: readonly string[], text: string): boolean {
  const k = keyword.toLowerCase().trim().replace(/\s+/gu, " ");
  if (k.length === 0) return false;
  if (WORD.test(k)) return words.some((w) => w.startsWith(k));
  return new RegExp(`(^|[^\\p{L}\\p{N}_])${escapeRe(k)}`, "u").test(text);
}

/**
 * Picks a scenario by keyword: each keyword (a word prefix, or a phrase) found in the query counts once; the scenario
 * with most matches wins (confidence grows with matches, below 1); none matching → the last scenario
 * without keywords (or the last one) at low confidence. A forced `scenario_id` has confidence 1.
 */
export class ScenarioRouter {
  constructor(private readonly scenarios: readonly ScenarioOptions[]) {}

  /** @throws GatewayError LG_ERR_SCENARIO_UNKNOWN for a forced id that is not configured */
  choose(query: string, forced?: string | null): ScenarioChoice {
    if (forced) {
      const scenario = this.scenarios.find((s) => s.id === forced);
      if (!scenario) throw new GatewayError("LG_ERR_SCENARIO_UNKNOWN", { scenario_id: forced });
      return { scenario, confidence: 1 };
    }
    const words = query.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter(Boolean);
    const text = query.toLowerCase().replace(/\s+/gu, " ");
    let best: ScenarioChoice | undefined;
    for (const scenario of this.scenarios) {
      const found = scenario.keywords.filter((k) => matches(k, words, text)).length;
      if (found === 0) continue;
      const confidence = Math.round(Math.min(0.99, 0.55 + 0.15 * found) * 100) / 100;
      if (!best || confidence > best.confidence) best = { scenario, confidence };
    }
    if (best) return best;
    const fallback = [...this.scenarios].reverse().find((s) => s.keywords.length === 0) ?? this.scenarios.at(-1)!;
    return { scenario: fallback, confidence: FALLBACK_CONFIDENCE };
  }
}
