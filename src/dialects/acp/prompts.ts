import { GatewayError } from "../../core/errors.js";
import type { UserId } from "../../core/types.js";

interface ActivePrompt {
  readonly userId: UserId;
  readonly controller: AbortController;
}

/**
 * The prompts in progress on this node, by session id: at most one per session, whichever socket of
 * the owner sent it, so `session/cancel` reaches it from any of them. One registry per gateway.
 */
export class PromptRegistry {
  private readonly active = new Map<string, ActivePrompt>();

  /**
   * Registers a prompt for `sessionId`.
   * @throws GatewayError LG_ERR_SESSION_BUSY when the user already has one there; LG_ERR_SESSION_NOT_FOUND
   *   when another user has (a session is never confirmed to someone who does not own it)
   */
  claim(sessionId: string, userId: UserId, controller: AbortController): void {
    const current = this.active.get(sessionId);
    if (current) {
      throw new GatewayError(current.userId === userId ? "LG_ERR_SESSION_BUSY" : "LG_ERR_SESSION_NOT_FOUND", { session_id: sessionId });
    }
    this.active.set(sessionId, { userId, controller });
  }

  /** Ends the registration made with `controller` (a no-op if another prompt holds the session now). */
  release(sessionId: string, controller: AbortController): void {
    if (this.active.get(sessionId)?.controller === controller) this.active.delete(sessionId);
  }

  /** Aborts the user's prompt in `sessionId`, if there is one. Returns whether one was aborted. */
  cancel(sessionId: string, userId: UserId): boolean {
    const current = this.active.get(sessionId);
    if (!current || current.userId !== userId) return false;
    current.controller.abort();
    return true;
  }
}
