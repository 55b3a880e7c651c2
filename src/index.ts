/**
 * livegate's public API, listed name by name.
 * @packageDocumentation
 */
export { createServer } from "./server.js";
export type { CreateServerExtras, LivegateServer } from "./server.js";
export { resolveOptions } from "./core/options.js";
export type { GatewayOptions, GatewayOptionsInput, LimitOptions } from "./core/options.js";
export { signToken, createAuthenticator } from "./core/auth.js";
export type { Authenticator, AuthenticatorOptions, SignTokenOptions } from "./core/auth.js";
export { GatewayError, ERRORS } from "./core/errors.js";
export type { ErrorCodeName, ErrorKind } from "./core/errors.js";
export type { DisconnectReason } from "./core/disconnect.js";
export type {
  ChannelName,
  ClientInfo,
  ConnectionId,
  Epoch,
  Offset,
  Principal,
  Publication,
  PublishInput,
  StreamPosition,
  UserId,
} from "./core/types.js";
export type { Broker, BrokerEvents, Counters, History, HistoryQuery, HistoryResult, Presence } from "./engines/broker/broker.js";
export { MemoryBroker } from "./engines/broker/memory.js";
export type { Store } from "./engines/store/store.js";
export type { ChatMessage, ChatProvider, ChatSource, ProviderEvent, ProviderRequest, TokenUsage } from "./engines/chat/provider.js";
export { CLOSE_CODES, ERROR_CODES } from "./protocol/codes.js";
export { WSMessage, WSMessageType, parseWSMessage } from "./dialects/codegraph/envelope.js";
export type { WSMessageInit, WSMessageJson, WSPayload } from "./dialects/codegraph/envelope.js";
export {
  createChatChunk,
  createChatResponse,
  createJobProgress,
  createJobCompleted,
  createJobFailed,
  createNotification,
  createError,
} from "./dialects/codegraph/factories.js";
export type { NotificationLevel } from "./dialects/codegraph/factories.js";
export {
  getWsManager,
  getChatHandler,
  getJobHandler,
  getNotificationHandler,
  WebSocketManager,
  ChatHandler,
  JobHandler,
  NotificationHandler,
} from "./dialects/codegraph/server-api/index.js";
