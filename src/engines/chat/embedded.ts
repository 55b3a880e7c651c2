import { setImmediate as nextTick } from "node:timers/promises";
import type { ChatMessage, ChatProvider, ChatSource, ContextPassage, ProviderEvent, ProviderRequest } from "./provider.js";

/** A search hit, as the embedded engine needs it. */
export interface DocumentHit {
  id: string;
  title: string;
  content: string;
  score: number;
  /** Query terms that matched. */
  terms: string[];
}

/** What the embedded engine searches; the document service satisfies it. */
export interface DocumentSearch {
  readonly count: number;
  search(query: string, limit?: number): DocumentHit[];
}

/** The model name the embedded engine reports. */
export const EMBEDDED_MODEL = "livegate-embedded";

const TEXT = {
  en: {
    empty:
      "I am livegate's built-in engine and no documents are loaded yet, so I cannot answer from them. " +
      "Load documents with POST /api/v1/documents, or point livegate at a real model with LIVEGATE_LLM_BASE_URL " +
      "(and LIVEGATE_LLM_API_KEY, LIVEGATE_LLM_MODEL).",
    nothing: (q: string, n: number) =>
      `I am livegate's built-in engine. Nothing in the ${n} loaded document${n === 1 ? "" : "s"} matches "${q}". ` +
      "Try other words, load more documents with POST /api/v1/documents, or configure a real model with LIVEGATE_LLM_BASE_URL.",
    from: (title: string) => `From "${title}": `,
    intro: "Here is what the loaded documents say (built-in engine, extractive answer):\n",
    noPassages: (q: string) => `I am livegate's built-in engine. Nothing that was found matches "${q}", so I cannot answer from it.`,
    passagesIntro: "Here is what the sources say (built-in engine, extractive answer):\n",
  },
  ru: {
    empty:
      "Я встроенный движок livegate, и документы ещё не загружены, поэтому ответить по ним я не могу. " +
      "Загрузите документы через POST /api/v1/documents или подключите настоящую модель через LIVEGATE_LLM_BASE_URL " +
      "(и LIVEGATE_LLM_API_KEY, LIVEGATE_LLM_MODEL).",
    nothing: (q: string, n: number) =>
      `Я встроенный движок livegate. В загруженных документах (${n}) нет ничего по запросу «${q}». ` +
      "Попробуйте другие слова, загрузите документы через POST /api/v1/documents или настройте модель через LIVEGATE_LLM_BASE_URL.",
    from: (title: string) => `Из «${title}»: `,
    intro: "Вот что сказано в загруженных документах (встроенный движок, извлечённый ответ):\n",
    noPassages: (q: string) => `Я встроенный движок livegate. В найденном нет ничего по запросу «${q}», поэтому ответить по нему я не могу.`,
    passagesIntro: "Вот что сказано в источниках (встроенный движок, извлечённый ответ):\n",
  },
} as const;

const SENTENCES_PER_ANSWER = 3;
/** A rough token count (about four characters per token), for usage reporting. */
const roughTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

/** Words of a text, lower-cased, split as the document index splits them (spaces and punctuation). */
const wordsOf = (text: string): Set<string> => new Set(text.toLowerCase().split(/[\n\r\p{Z}\p{P}]+/u).filter(Boolean));

function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?…])\s+|\n+/u)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * The question's words worth matching in the passages: three letters or more, present in some sentence,
 * and (with four sentences or more) not in more than half of them.
 */
function derivedTerms(question: string, passages: readonly ContextPassage[]): string[] {
  const sentences = passages.flatMap((p) => splitSentences(p.text)).map(wordsOf);
  return [...wordsOf(question)].filter((w) => {
    if ([...w].length < 3) return false;
    const df = sentences.filter((s) => s.has(w)).length;
    return df > 0 && (sentences.length < 4 || df <= sentences.length / 2);
  });
}

/**
 * The built-in engine: no network, no model. It searches the loaded documents and answers with the
 * sentences that match the question best, streamed word by word, with its sources. It says plainly
 * what it is and how to configure a real model.
 */
export class EmbeddedProvider implements ChatProvider {
  readonly name = "embedded";
  readonly defaultModel = EMBEDDED_MODEL;

  constructor(private readonly documents: DocumentSearch) {}

  async *stream(req: ProviderRequest): AsyncGenerator<ProviderEvent> {
    const lang = req.language ?? "en";
    const users = req.messages.filter((m) => m.role === "user");
    const question = users.at(-1)?.content ?? "";
    const { answer, sources } = req.passages ? this.fromPassages(question, req.passages, lang) : this.answer(question, users.slice(0, -1), lang);
    if (sources.length > 0) yield { type: "sources", sources };
    let completion = 0;
    for (const token of answer.match(/\S+\s*/gu) ?? []) {
      // A tick between words: each delta is its own frame, and cancellation is seen at once.
      await nextTick();
      if (req.signal?.aborted) {
        yield this.done(req.messages, completion, "cancelled");
        return;
      }
      completion += 1;
      yield { type: "delta", text: token };
    }
    yield this.done(req.messages, completion, "stop");
  }

  private answer(question: string, earlier: ChatMessage[], lang: "en" | "ru"): { answer: string; sources: ChatSource[] } {
    const t = TEXT[lang];
    if (this.documents.count === 0) return { answer: t.empty, sources: [] };
    let hits = this.documents.search(question, 3);
    // A follow-up ("and in the other module?") is searched together with the session's last question.
    const previous = earlier.at(-1)?.content;
    if (previous) {
      const withContext = this.documents.search(`${previous} ${question}`, 3);
      if (hits.length === 0 || (withContext[0]?.score ?? 0) > (hits[0]?.score ?? 0)) hits = withContext;
    }
    if (hits.length === 0) return { answer: t.nothing(question, this.documents.count), sources: [] };
    return this.extract(hits, t.intro, lang);
  }

  /**
   * The extractive answer over passages the caller retrieved (TrustGraph's document-rag, graph-rag,
   * agent): the same sentence picking as for its own search. A passage without matched terms gets the
   * question's words that occur in the passages, minus words of one or two letters and words that occur
   * in most sentences (they say nothing about what is asked: "the", "what").
   */
  private fromPassages(question: string, passages: readonly ContextPassage[], lang: "en" | "ru"): { answer: string; sources: ChatSource[] } {
    const t = TEXT[lang];
    if (passages.length === 0) return { answer: t.noPassages(question), sources: [] };
    const derived = derivedTerms(question, passages);
    const hits: DocumentHit[] = passages.map((p, i) => ({
      id: p.id,
      title: p.title,
      content: p.text,
      score: p.score ?? 1 / (i + 1),
      terms: p.terms ? [...p.terms] : derived,
    }));
    return this.extract(hits, t.passagesIntro, lang);
  }

  /** The best sentences of the hits, each prefixed with its title, and the hits they came from. */
  private extract(hits: DocumentHit[], intro: string, lang: "en" | "ru"): { answer: string; sources: ChatSource[] } {
    const t = TEXT[lang];
    const terms = new Set(hits.flatMap((h) => h.terms.map((x) => x.toLowerCase())));
    const picked: { hit: DocumentHit; sentence: string; score: number }[] = [];
    for (const hit of hits) {
      for (const sentence of splitSentences(hit.content)) {
        // Whole words only: the term "a" must not match every sentence that contains the letter.
        const words = wordsOf(sentence);
        const score = [...terms].filter((term) => words.has(term)).length * hit.score;
        if (score > 0) picked.push({ hit, sentence, score });
      }
    }
    picked.sort((a, b) => b.score - a.score);
    const best = picked.slice(0, SENTENCES_PER_ANSWER);
    if (best.length === 0) best.push({ hit: hits[0]!, sentence: splitSentences(hits[0]!.content)[0] ?? hits[0]!.title, score: hits[0]!.score });
    const lines = best.map((b) => `${t.from(b.hit.title)}${b.sentence}`);
    const sources = [...new Map(best.map((b) => [b.hit.id, b])).values()].map((b) => ({
      id: b.hit.id,
      title: b.hit.title,
      snippet: b.sentence,
      score: Math.round(b.hit.score * 1000) / 1000,
    }));
    return { answer: `${intro}${lines.join("\n")}`, sources };
  }

  private done(messages: ChatMessage[], completionTokens: number, finishReason: "stop" | "cancelled"): ProviderEvent {
    const promptTokens = messages.reduce((n, m) => n + roughTokens(m.content), 0);
    return { type: "done", usage: { promptTokens, completionTokens }, model: EMBEDDED_MODEL, finishReason };
  }
}
