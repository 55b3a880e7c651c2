import type { PublicationCodec } from "../../core/connection.js";
import type { DisconnectReason } from "../../core/disconnect.js";
import { GatewayError } from "../../core/errors.js";
import type { Principal, Publication, UserId } from "../../core/types.js";
import { isWorkspaceBroadcast, WORKSPACE_PRESENCE_EVENTS, workspaceChannel } from "../../services/workspaces.js";
import { frame } from "./frames.js";
import { NadooSession, type ClientFrame } from "./session.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Serialized once per publication for every user's codec. */
const rendered = new WeakMap<Publication, string>();

/**
 * The codec of one user's workspace sockets: every event of `workspace:{id}` as a flat frame
 * `{type, …fields, workspace_id, sender_id?, timestamp}`, except those the user's own sockets caused
 * (their `user_joined`/`user_left` and their broadcasts go "to the others").
 */
function workspaceCodec(user: UserId): PublicationCodec {
  return {
    key: `nadoo.workspace.${user}`,
    encode(pub) {
      if (pub.publisher === user) return undefined;
      let f = rendered.get(pub);
      if (f === undefined) {
        f = frame({ ...(isObject(pub.data) ? pub.data : {}), type: pub.type }, pub.time);
        rendered.set(pub, f);
      }
      return f;
    },
  };
}

/**
 * `/ws/workspaces/{workspace_id}` (seed 004, "Workspace Collaboration WebSocket"): members only (else
 * `error`, close 1008 "Not a workspace member"). The others get `user_joined` / `user_left`; a member may
 * broadcast `document_updated`, `application_changed` and `member_added` to the others (the server adds
 * `sender_id`, `workspace_id` and `timestamp`); `{"type":"presence"}` asks who is connected.
 */
export class WorkspaceSocket extends NadooSession {
  private joined = false;

  private get workspaceId(): string {
    return this.ctx.params.workspace_id ?? "";
  }

  protected async welcome(principal: Principal): Promise<void> {
    const { hub, workspaces } = this.gw;
    const id = this.workspaceId;
    await workspaces.assertMember(id, principal.userId);
    this.codec = workspaceCodec(principal.userId);
    const pending = await hub.prepareSubscribe(this.connection, workspaceChannel(id));
    const { users } = await workspaces.presence(id);
    this.send({ type: "connected", workspace_id: id, user_id: principal.userId, users });
    hub.activate(pending);
    this.joined = true;
    await workspaces.presenceChanged(id, principal.userId, true);
  }

  protected async onMessage(msg: ClientFrame): Promise<boolean> {
    const user = this.connection.userId ?? "";
    if (msg.type === "presence") {
      this.send({ type: "presence", ...(await this.gw.workspaces.presence(this.workspaceId)) });
      return true;
    }
    if (!isWorkspaceBroadcast(msg.type)) {
      const serverOnly = msg.type === WORKSPACE_PRESENCE_EVENTS.joined || msg.type === WORKSPACE_PRESENCE_EVENTS.left;
      this.reportError(
        new GatewayError("LG_ERR_FRAME_UNKNOWN_TYPE", { type: msg.type.slice(0, 64) }),
        serverOnly ? { detail: `${msg.type} is sent by the server only` } : {},
      );
      return true;
    }
    await this.gw.workspaces.publish(this.workspaceId, msg.type, msg, user);
    return true;
  }

  protected override onClosed(_reason: DisconnectReason): void {
    if (!this.joined) return;
    this.gw.workspaces
      .presenceChanged(this.workspaceId, this.connection.userId ?? "", false)
      .catch((err: unknown) => this.gw.log.warn({ err, workspace: this.workspaceId }, "nadoo user_left failed"));
  }
}
