import { BROADCAST_CHANNEL, userChannel } from "./channel.js";
import type { ChannelName, Principal } from "./types.js";

/**
 * One rule of the channel policy: `true` allows, `false` denies, `undefined` passes to the next rule.
 * Rules may be async (a later rule asks the store who owns a job).
 */
export type ChannelRule = (principal: Principal, channel: ChannelName) => boolean | undefined | Promise<boolean | undefined>;

const globCache = new Map<string, RegExp>();

/** Compiles a channel glob (`*` any run, `?` one character) to an anchored RegExp, cached. */
export function globToRegExp(glob: string): RegExp {
  let re = globCache.get(glob);
  if (!re) {
    const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    re = new RegExp(`^${body}$`);
    if (globCache.size < 10_000) globCache.set(glob, re);
  }
  return re;
}

/** True if any glob in the claim (a string or string array) matches the channel. */
export function claimMatches(claim: unknown, channel: ChannelName): boolean {
  const globs = typeof claim === "string" ? [claim] : Array.isArray(claim) ? claim : [];
  return globs.some((g) => typeof g === "string" && globToRegExp(g).test(channel));
}

/**
 * Who may subscribe to and publish on which channel. Services add rules (owners, members) with
 * {@link ChannelPolicy.addSubscribeRule}; the built-in rules come last.
 */
export class ChannelPolicy {
  private readonly subscribeRules: ChannelRule[] = [];

  /** Adds a rule consulted before the built-in ones. */
  addSubscribeRule(rule: ChannelRule): void {
    this.subscribeRules.push(rule);
  }

  /** Own `user:{sub}`, `broadcast`, `public:*`, then the `channels` claim; anything else is denied. */
  async canSubscribe(principal: Principal, channel: ChannelName): Promise<boolean> {
    for (const rule of this.subscribeRules) {
      const verdict = await rule(principal, channel);
      if (verdict !== undefined) return verdict;
    }
    if (channel === userChannel(principal.userId) || channel === BROADCAST_CHANNEL) return true;
    if (channel.startsWith("public:")) return true;
    return claimMatches(principal.claims.channels, channel);
  }

  /** Clients publish only where the token's `publish` claim allows. */
  canPublish(principal: Principal, channel: ChannelName): boolean {
    return claimMatches(principal.claims.publish, channel);
  }
}
