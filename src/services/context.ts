import type { GatewayContext } from "../core/context.js";
import type { ChatSessionService } from "./chat-sessions.js";
import type { ChatService } from "./chat/service.js";
import type { CollectionService } from "./collections.js";
import type { ConfigService } from "./config.js";
import type { DocumentService } from "./documents.js";
import type { FlowService } from "./flows.js";
import type { JobService } from "./jobs.js";
import type { KnowledgeService } from "./knowledge.js";
import type { LibraryUploads } from "./library-uploads.js";
import type { LibraryService } from "./library.js";
import type { NotificationService } from "./notifications.js";
import type { PluginExecutionService } from "./plugin-executions.js";
import type { TriplesService } from "./triples.js";
import type { WorkspaceService } from "./workspaces.js";

/** The core plus the domain services: what dialects and REST routes are given. */
export interface AppContext extends GatewayContext {
  readonly jobs: JobService;
  readonly notifications: NotificationService;
  readonly documents: DocumentService;
  readonly chat: ChatService;
  /** Chat sessions shared by several users (Nadoo), and the application chats asked in them. */
  readonly sessions: ChatSessionService;
  /** Workspaces and their members (Nadoo's collaboration sockets). */
  readonly workspaces: WorkspaceService;
  /** Plugin executions and their debug events (Nadoo's plugin debug console). */
  readonly pluginExecutions: PluginExecutionService;
  /** Triples of every collection (TrustGraph `triples`, graph-rag). */
  readonly triples: TriplesService;
  /** TrustGraph's library over `documents`: owners, kinds, processings, collection membership. */
  readonly library: LibraryService;
  /** Chunked uploads into the library (TrustGraph librarian `begin-upload` … `complete-upload`). */
  readonly libraryUploads: LibraryUploads;
  /** Collections and their metadata; deleting one removes its triples and document membership. */
  readonly collections: CollectionService;
  /** Knowledge cores: stored triples and graph embeddings, loadable into collections. */
  readonly knowledge: KnowledgeService;
  /** TrustGraph's configuration (`config` service; prompt templates, blueprints and flows live in it). */
  readonly config: ConfigService;
  /** TrustGraph's flow blueprints and started flows (`flow` service; what flow-hosted calls run in). */
  readonly flows: FlowService;
}
