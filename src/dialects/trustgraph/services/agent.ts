import type { ChatMessage } from "../../../engines/chat/provider.js";
import type { ContextPassage } from "../../../services/chat/generation.js";
import { TgError, type TgBody, type TgCall, type TgService } from "../service.js";
import { drive, modelOf, textField, usageKeys } from "./ai.js";
import { collectionOf, documentPassages } from "./document-rag.js";
import { graphPassages } from "./graph-rag.js";

/** Documents and graph subjects the agent's search hands to the model. */
const DOC_LIMIT = 5;
const GRAPH_LIMITS = { entityLimit: 10, tripleLimit: 20, maxSubgraphSize: 200, maxPathLength: 1 };

const SYSTEM =
  "You are a research agent. You searched the user's documents and knowledge graph for the question; " +
  "answer from what the search found, and say so when it found nothing relevant.";

/** One earlier step of the dialog, as the request's `history` carries it. */
interface HistoryStep {
  thought?: string;
  action?: string;
  arguments?: Record<string, unknown>;
  observation?: string;
}

function historyOf(call: TgCall): HistoryStep[] {
  const h = call.request.history;
  if (h === undefined || h === null) return [];
  if (!Array.isArray(h) || h.some((s) => typeof s !== "object" || s === null || Array.isArray(s))) {
    throw new TgError("invalid-request", '"history" must be an array of {thought, action, arguments, observation} objects');
  }
  return h as HistoryStep[];
}

/** Earlier steps as the model's context: one assistant message each. */
function historyMessages(steps: readonly HistoryStep[]): ChatMessage[] {
  return steps.flatMap((s) => {
    const parts = [
      s.thought ? `Thought: ${s.thought}` : "",
      s.action ? `Action: ${s.action}${s.arguments ? ` ${JSON.stringify(s.arguments)}` : ""}` : "",
      s.observation ? `Observation: ${s.observation}` : "",
    ].filter(Boolean);
    return parts.length > 0 ? [{ role: "assistant" as const, content: parts.join("\n") }] : [];
  });
}

/** What the search found, in a sentence. */
function observe(docs: readonly ContextPassage[], facts: readonly ContextPassage[]): string {
  if (docs.length === 0 && facts.length === 0) return "The search found nothing in the documents or the knowledge graph.";
  const parts: string[] = [];
  if (docs.length > 0) parts.push(`${docs.length} document${docs.length === 1 ? "" : "s"}: ${docs.map((d) => `"${d.title}"`).join(", ")}`);
  if (facts.length > 0) parts.push(`facts about ${facts.map((f) => `"${f.title}"`).join(", ")}`);
  return `The search found ${parts.join("; and ")}.`;
}

const frame = (type: "thought" | "observation" | "answer", content: string, endOfMessage: boolean, last = false): TgBody => ({
  "chunk-type": type,
  content,
  "end-of-message": endOfMessage,
  "end-of-dialog": last,
  "end-of-stream": last,
});

/**
 * `agent` (flow-hosted): `{question, history?, state?, group?, collection?, streaming}`. A small real
 * agent with one tool, search: it searches the librarian's documents (full text) and the collection's
 * knowledge graph for the question (and, when that finds nothing, for the question with the last history
 * step), says so in its thought, reports what it found as an observation, and answers from it with the
 * chat provider; `history` steps are the model's earlier context. Streaming frames carry `chunk-type`
 * (`thought`, `observation`, `answer`), `content`, `end-of-message`, `end-of-dialog` and `end-of-stream`
 * (true on the last answer frame only); non-streaming, one `{answer, thought, observation}`. `state` and
 * `group` are accepted and not used (there is one tool).
 */
export const agentService: TgService = {
  kind: "agent",
  scope: "flow",
  async *handle(call: TgCall): AsyncGenerator<TgBody> {
    const question = textField(call, "question", true);
    const history = historyOf(call);
    const collection = collectionOf(call);
    const hasGraph = (await call.app.triples.collections()).includes(collection);
    const thought = `I will search the documents${hasGraph ? " and the knowledge graph" : ""} of collection "${collection}" for "${question}", then answer from what I find.`;
    if (call.streaming) yield frame("thought", thought, true);

    const search = async (text: string) => ({
      docs: await documentPassages(call.app, collection, text, DOC_LIMIT),
      facts: hasGraph ? await graphPassages(call.app, collection, text, GRAPH_LIMITS) : [],
    });
    let found = await search(question);
    const last = history.at(-1);
    if (found.docs.length === 0 && found.facts.length === 0 && last) {
      // A follow-up ("and the other one?") is searched with what the previous step was about.
      found = await search([question, last.thought, last.observation].filter(Boolean).join(" "));
    }
    const observation = observe(found.docs, found.facts);
    if (call.streaming) yield frame("observation", observation, true);

    const events = call.app.chat.generation.answer({
      question,
      passages: [...found.docs, ...found.facts],
      system: SYSTEM,
      history: historyMessages(history),
      model: modelOf(call),
      signal: call.signal,
    });
    const result = yield* drive(events, "agent", call.streaming ? (delta) => frame("answer", delta, false) : undefined);
    if (result.cancelled || call.signal.aborted) return;
    if (call.streaming) yield { ...frame("answer", "", true, true), ...usageKeys(result) };
    else yield { answer: result.text, thought, observation };
  },
};
