import { randomUUID } from "node:crypto";
import type { Broker } from "../engines/broker/broker.js";
import type { WorkspaceStore } from "../engines/store/store.js";
import { GatewayError } from "../core/errors.js";
import type { ChannelPolicy } from "../core/policy.js";
import type { ChannelName, UserId } from "../core/types.js";

/** The channel of one workspace's events. */
export const workspaceChannel = (id: string): ChannelName => `workspace:${id}`;

const WORKSPACE_ID_RE = /^[\w.:@-]{1,128}$/;

/** Events members and backends may broadcast to a workspace (seed 004, "Supported broadcast event types"). */
export const WORKSPACE_BROADCASTS = ["document_updated", "application_changed", "member_added"] as const;
export type WorkspaceBroadcast = (typeof WORKSPACE_BROADCASTS)[number];

/** Events only the server sends: a socket joined or left the workspace. */
export const WORKSPACE_PRESENCE_EVENTS = { joined: "user_joined", left: "user_left" } as const;

/** Fields the server sets on every workspace event; a sender's own values for them are replaced. */
const SERVER_FIELDS = ["type", "workspace_id", "sender_id", "timestamp"];

/** A workspace as REST shows it. */
export interface WorkspaceView {
  workspace_id: string;
  name: string;
  members: UserId[];
  created_at: string;
}

/** Who is connected to a workspace now: each user and their number of sockets. */
export interface WorkspacePresence {
  workspace_id: string;
  users: { user_id: UserId; connections: number }[];
}

export const isWorkspaceBroadcast = (t: string): t is WorkspaceBroadcast => (WORKSPACE_BROADCASTS as readonly string[]).includes(t);

/**
 * Workspaces (Nadoo's collaboration sockets): stored with their members; events are published on
 * `workspace:{id}` as the event type itself, with `workspace_id`, `sender_id` (the member who sent it, null
 * from a backend) and the event's own fields as data. Only members may follow a workspace.
 */
export class WorkspaceService {
  constructor(
    private readonly store: WorkspaceStore,
    private readonly broker: Broker,
    policy: ChannelPolicy,
  ) {
    // Members may subscribe to a workspace's channel on any protocol; others only by the channels claim.
    policy.addSubscribeRule(async (who, channel) => {
      if (!channel.startsWith("workspace:")) return undefined;
      return (await this.store.isMember(channel.slice(10), who.userId)) ? true : undefined;
    });
  }

  /** Creates a workspace. @throws GatewayError LG_ERR_WORKSPACE_EXISTS, LG_ERR_REQUEST_INVALID */
  async create(input: { id?: string | undefined; name: string; members: readonly UserId[] }): Promise<WorkspaceView> {
    const id = input.id ?? `ws_${randomUUID()}`;
    this.checkId(id);
    const created = await this.store.create({ id, name: input.name }, input.members);
    if (!created) throw new GatewayError("LG_ERR_WORKSPACE_EXISTS", { workspace_id: id });
    return { workspace_id: id, name: created.name, members: [...new Set(input.members)], created_at: new Date(created.createdAt).toISOString() };
  }

  /** The workspace with its members. @throws GatewayError LG_ERR_WORKSPACE_NOT_FOUND */
  async get(id: string): Promise<WorkspaceView> {
    const w = await this.store.get(id);
    if (!w) throw new GatewayError("LG_ERR_WORKSPACE_NOT_FOUND", { workspace_id: id });
    return { workspace_id: w.id, name: w.name, members: await this.store.members(id), created_at: new Date(w.createdAt).toISOString() };
  }

  /**
   * Adds a member; a new one is announced to the workspace with `member_added`.
   * @throws GatewayError LG_ERR_WORKSPACE_NOT_FOUND
   */
  async addMember(id: string, user: UserId): Promise<boolean> {
    if (!(await this.store.get(id))) throw new GatewayError("LG_ERR_WORKSPACE_NOT_FOUND", { workspace_id: id });
    const added = await this.store.addMember(id, user);
    if (added) await this.publish(id, "member_added", { user_id: user }, null);
    return added;
  }

  /** @throws GatewayError LG_ERR_WORKSPACE_FORBIDDEN when the user is not a member (or there is no such workspace) */
  async assertMember(id: string, user: UserId): Promise<void> {
    if (!WORKSPACE_ID_RE.test(id) || !(await this.store.isMember(id, user))) {
      throw new GatewayError("LG_ERR_WORKSPACE_FORBIDDEN", { workspace_id: id.slice(0, 128) });
    }
  }

  /**
   * Publishes a broadcast event to the workspace's members. `fields` are the event's own (e.g.
   * `document_id`, `action`); `sender` is the member who sent it, null for a backend.
   * @throws GatewayError LG_ERR_REQUEST_INVALID for another type
   */
  async publish(id: string, type: string, fields: Record<string, unknown>, sender: UserId | null): Promise<{ epoch: string; offset: number }> {
    if (!isWorkspaceBroadcast(type)) {
      throw new GatewayError("LG_ERR_REQUEST_INVALID", { detail: `type: one of ${WORKSPACE_BROADCASTS.join(", ")}` });
    }
    const own = Object.fromEntries(Object.entries(fields).filter(([k]) => !SERVER_FIELDS.includes(k)));
    const pub = await this.broker.publish(workspaceChannel(id), {
      type,
      data: { ...own, workspace_id: id, sender_id: sender },
      ...(sender ? { publisher: sender } : {}),
    });
    return { epoch: pub.epoch, offset: pub.offset };
  }

  /** Announces that a socket of `user` joined (`user_joined`) or left (`user_left`) the workspace. */
  async presenceChanged(id: string, user: UserId, joined: boolean): Promise<void> {
    await this.broker.publish(workspaceChannel(id), {
      type: joined ? WORKSPACE_PRESENCE_EVENTS.joined : WORKSPACE_PRESENCE_EVENTS.left,
      data: { user_id: user, workspace_id: id },
      publisher: user,
    });
  }

  /** Who is connected to the workspace now, across nodes (the broker's presence). */
  async presence(id: string): Promise<WorkspacePresence> {
    const byUser = new Map<UserId, number>();
    for (const c of (await this.broker.presence.list(workspaceChannel(id))).values()) byUser.set(c.user_id, (byUser.get(c.user_id) ?? 0) + 1);
    return { workspace_id: id, users: [...byUser].map(([user_id, connections]) => ({ user_id, connections })) };
  }

  private checkId(id: string): void {
    if (!WORKSPACE_ID_RE.test(id)) throw new GatewayError("LG_ERR_REQUEST_INVALID", { detail: "workspace_id: 1-128 characters of letters, digits, _ . : @ -" });
  }
}
