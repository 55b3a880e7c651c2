import type { ChatMessage, ChatSource, ContextPassage } from "./provider.js";

/** Longest passage text put into a model's prompt; longer ones are cut (a whole document can be megabytes). */
export const MAX_PASSAGE_CHARS = 4000;

const cut = (text: string): string => (text.length > MAX_PASSAGE_CHARS ? `${text.slice(0, MAX_PASSAGE_CHARS)}…` : text);

/**
 * The system message that hands retrieved passages to a model: numbered, each with its title and id, and
 * the instruction to answer from them only and cite the titles used. With no passages the model is told
 * that nothing was found, so it says so instead of inventing an answer.
 */
export function passagesMessage(passages: readonly ContextPassage[]): ChatMessage {
  if (passages.length === 0) {
    return {
      role: "system",
      content:
        "A search of the user's documents found nothing relevant to the question. Say so plainly; do not answer from general knowledge.",
    };
  }
  const listed = passages.map((p, i) => `[${i + 1}] "${p.title}" (id: ${p.id})\n${cut(p.text)}`).join("\n\n");
  return {
    role: "system",
    content:
      "Answer the user's question using only the passages below. Cite every passage you use by its title in " +
      'square brackets, e.g. ["Title"]. If the passages do not contain the answer, say so.\n\n' +
      `Passages:\n${listed}`,
  };
}

/**
 * The messages with the passages' system message inserted after the leading system messages (so the
 * caller's instructions come first and the conversation stays in order).
 */
export function withPassages(messages: readonly ChatMessage[], passages: readonly ContextPassage[]): ChatMessage[] {
  const lead = messages.findIndex((m) => m.role !== "system");
  const at = lead === -1 ? messages.length : lead;
  return [...messages.slice(0, at), passagesMessage(passages), ...messages.slice(at)];
}

/** Passages as `sources` (the passage text as the snippet, cut to a readable length). */
export function passageSources(passages: readonly ContextPassage[]): ChatSource[] {
  return passages.map((p, i) => ({
    id: p.id,
    title: p.title,
    snippet: p.text.length > 300 ? `${p.text.slice(0, 300)}…` : p.text,
    score: Math.round((p.score ?? 1 / (i + 1)) * 1000) / 1000,
  }));
}
