import { randomUUID } from "node:crypto";
import type { ChatMessage, ChatProvider, ChatSource, TokenUsage } from "../../engines/chat/provider.js";
import type { ConversationStore, MessageRecord } from "../../engines/store/store.js";
import { GatewayError, toGatewayError } from "../../core/errors.js";
import type { ChatOptions } from "../../core/options.js";
import type { UserId } from "../../core/types.js";
import { ChatGeneration } from "./generation.js";
import { ScenarioRouter } from "./scenarios.js";

/** One question to the chat service. */
export interface ChatQuery {
  user: UserId;
  query: string;
  /** Conversation to continue (its earlier messages are the context); created when absent or new. */
  sessionId?: string | null | undefined;
  /** Forces a scenario instead of routing. */
  scenarioId?: string | null | undefined;
  language?: "en" | "ru" | undefined;
  /** One of the configured models; default the configured default. */
  model?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Stored with a new conversation (e.g. dialect, application id). */
  metadata?: Record<string, unknown> | undefined;
  /** Id of the stored answer (`done.messageId`), for dialects that announce it before it streams; default a new UUID. */
  messageId?: string | undefined;
}

/** What a chat stream yields: the scenario, deltas, optional sources, then exactly one `done`. */
export type ChatEvent =
  | { type: "scenario"; scenarioId: string; confidence: number }
  | { type: "delta"; text: string; index: number }
  | { type: "sources"; sources: ChatSource[] }
  | {
      type: "done";
      answer: string;
      sessionId: string;
      messageId: string;
      scenarioId: string;
      confidence: number;
      usage: TokenUsage;
      model: string;
      finishReason: "stop" | "length" | "cancelled";
      /** Cost of this answer from the price table (0 when the model has no price). */
      cost: number;
      elapsedMs: number;
    };

const SYSTEM_PROMPT: Record<"en" | "ru", (scenario: string) => string> = {
  en: (s) => `You are the assistant of a code intelligence product. ${s} Answer in English, concisely.`,
  ru: (s) => `Вы ассистент продукта для анализа кода. ${s} Отвечайте по-русски, кратко.`,
};

/**
 * The session's earlier messages as model context. A question without its answer (the query failed, or
 * is still being answered in parallel) is left out, and so is an answer whose question fell outside
 * the window, so the context is always whole exchanges.
 */
function contextOf(history: readonly MessageRecord[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (let i = 0; i < history.length; i++) {
    const m = history[i]!;
    if (m.role === "user" && history[i + 1]?.role !== "assistant") continue;
    if (m.role === "assistant" && history[i - 1]?.role !== "user") continue;
    out.push({ role: m.role, content: m.content });
  }
  return out;
}

/**
 * Chat: routes a query to a scenario, adds the session's earlier messages as context, streams the
 * provider's answer, and stores both messages with token usage and cost. Dialects only translate its
 * events to frames.
 */
export class ChatService {
  private readonly router: ScenarioRouter;

  constructor(
    private readonly provider: ChatProvider,
    private readonly conversations: ConversationStore,
    private readonly options: ChatOptions,
  ) {
    this.router = new ScenarioRouter(options.scenarios);
  }

  /** The same provider without sessions: raw completions, answers from given passages, embeddings (TrustGraph). */
  get generation(): ChatGeneration {
    return (this.generationApi ??= new ChatGeneration(this.provider, this.options));
  }
  private generationApi: ChatGeneration | undefined;

  /** Name of the provider behind the service (`embedded` or `openai`). */
  get providerName(): string {
    return this.provider.name;
  }

  /** Models a client may ask for. */
  get models(): string[] {
    return [...new Set([this.provider.defaultModel, ...this.options.models])];
  }

  /**
   * Streams an answer. Errors before the first event (unknown session, scenario or model) and provider
   * failures are thrown as GatewayError; cancelling `signal` ends the stream with finishReason "cancelled".
   */
  async *stream(q: ChatQuery): AsyncGenerator<ChatEvent> {
    const started = Date.now();
    const language = q.language ?? "en";
    if (q.model !== undefined && !this.models.includes(q.model)) {
      throw new GatewayError("LG_ERR_MODEL_UNKNOWN", { model: q.model, models: this.models.join(", ") });
    }
    const { scenario, confidence } = this.router.choose(q.query, q.scenarioId);
    const question = { id: randomUUID(), role: "user", content: q.query, tokensIn: 0, tokensOut: 0, model: null, metadata: { scenario_id: scenario.id } } as const;
    // A new conversation is stored together with its question; an existing one gets the question appended.
    const { sessionId, created } = await this.openSession(q, question);
    yield { type: "scenario", scenarioId: scenario.id, confidence };

    // A conversation created just now has no earlier messages to read.
    const history = created ? [] : await this.conversations.messages(sessionId, { limit: this.options.contextMessages });
    const messages: ChatMessage[] = [
      { role: "system", content: (SYSTEM_PROMPT[language] ?? SYSTEM_PROMPT.en)(scenario.description) },
      ...contextOf(history),
      { role: "user", content: q.query },
    ];
    if (!created) await this.conversations.addMessage({ ...question, conversationId: sessionId }, 0);

    let answer = "";
    let index = 0;
    let done: Extract<ChatEvent, { type: "done" }> | undefined;
    try {
      for await (const ev of this.provider.stream({ messages, model: q.model ?? this.provider.defaultModel, language, signal: q.signal })) {
        if (ev.type === "delta") {
          answer += ev.text;
          yield { type: "delta", text: ev.text, index: index++ };
        } else if (ev.type === "sources") {
          yield ev;
        } else {
          const cost = this.cost(ev.model, ev.usage);
          const message = await this.conversations.addMessage(
            {
              id: q.messageId ?? randomUUID(),
              conversationId: sessionId,
              role: "assistant",
              content: answer,
              tokensIn: ev.usage.promptTokens,
              tokensOut: ev.usage.completionTokens,
              model: ev.model,
              metadata: { scenario_id: scenario.id, finish_reason: ev.finishReason },
            },
            cost,
          );
          done = {
            type: "done",
            answer,
            sessionId,
            messageId: message.id,
            scenarioId: scenario.id,
            confidence,
            usage: ev.usage,
            model: ev.model,
            finishReason: ev.finishReason,
            cost,
            elapsedMs: Date.now() - started,
          };
        }
      }
    } catch (err) {
      throw err instanceof GatewayError ? err : new GatewayError("LG_ERR_CHAT_FAILED", { detail: toGatewayError(err).message }, { cause: err });
    }
    if (!done) throw new GatewayError("LG_ERR_CHAT_FAILED", { detail: `provider ${this.provider.name} ended without a result` });
    yield done;
  }

  /** The conversation to answer in: an existing one of the user's, or a new one stored with `question`. */
  private async openSession(q: ChatQuery, question: Omit<MessageRecord, "createdAt" | "conversationId">): Promise<{ sessionId: string; created: boolean }> {
    if (q.sessionId && !/^[\w.:@-]{1,128}$/.test(q.sessionId)) {
      throw new GatewayError("LG_ERR_REQUEST_INVALID", { detail: "session_id: 1-128 characters of letters, digits, _ . : @ -" });
    }
    if (q.sessionId) {
      const existing = await this.conversations.get(q.sessionId);
      if (existing) {
        // Another user's session is reported as missing, never revealed.
        if (existing.userId !== q.user) throw new GatewayError("LG_ERR_SESSION_NOT_FOUND", { session_id: q.sessionId });
        return { sessionId: existing.id, created: false };
      }
    }
    const id = q.sessionId ?? `sess-${randomUUID()}`;
    await this.conversations.create({ id, userId: q.user, title: q.query.slice(0, 80), metadata: q.metadata ?? {} }, question);
    return { sessionId: id, created: true };
  }

  private cost(model: string, usage: TokenUsage): number {
    const price = this.options.prices[model];
    if (!price) return 0;
    return (usage.promptTokens * price.input + usage.completionTokens * price.output) / 1000;
  }
}
