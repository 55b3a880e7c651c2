/** Domain names shared by every layer. Plain strings/numbers, named so signatures say what they hold. */

/** A channel name, e.g. `user:alice`, `conversation:conv-123`, `broadcast`. */
export type ChannelName = string;
/** A connection id, unique per node, e.g. `c_8fK2…`. */
export type ConnectionId = string;
/** A user id: the token's `sub`. */
export type UserId = string;
/** Names one life of a channel's history; changes when that history is lost. */
export type Epoch = string;
/** Position of a publication in its channel: 1, 2, 3, …; 0 before the first. */
export type Offset = number;

/** Where a channel's stream stands. */
export interface StreamPosition {
  epoch: Epoch;
  offset: Offset;
}

/** What a publisher hands to the broker. */
export interface PublishInput {
  /** Event type, e.g. `notification`; dialects map it to their own frame type. */
  type: string;
  /** The event body, any JSON value. */
  data: unknown;
  /** Who published: a user id, or undefined for backends. */
  publisher?: UserId;
}

/** A publication as stored in history and fanned out. */
export interface Publication extends StreamPosition, PublishInput {
  channel: ChannelName;
  /** Publish time, milliseconds since the epoch. */
  time: number;
}

/** The authenticated party behind a connection or request. */
export interface Principal {
  userId: UserId;
  /** All claims of the verified token. */
  claims: Readonly<Record<string, unknown>>;
  /** Token expiry in ms since the epoch, if the token has `exp`. */
  expiresAt?: number;
}

/** Presence entry of one connection in one channel. */
export interface ClientInfo {
  connection_id: ConnectionId;
  user_id: UserId;
}
