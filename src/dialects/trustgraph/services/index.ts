import type { TgService } from "../service.js";
import { configService } from "./config.js";
import { flowService } from "./flow.js";
import { collectionManagementService } from "./collection-management.js";
import { documentLoadService } from "./document-load.js";
import { knowledgeService } from "./knowledge.js";
import { librarianService } from "./librarian.js";
import { textLoadService } from "./text-load.js";
import { triplesService } from "./triples.js";
import { agentService } from "./agent.js";
import { documentRagService } from "./document-rag.js";
import { embeddingsService } from "./embeddings.js";
import { graphRagService } from "./graph-rag.js";
import { promptService } from "./prompt.js";
import { textCompletionService } from "./text-completion.js";
import { unsupportedServices } from "./unsupported.js";

/**
 * Every TrustGraph service livegate serves, global and flow-hosted. A service is one file in this folder
 * and one entry here; the socket and the REST twins dispatch through this table.
 */
export const TG_SERVICES: readonly TgService[] = [
  // global: configuration and flows
  configService,
  flowService,
  // knowledge: library, collections, cores (global); triples and loaders (flow-hosted)
  librarianService,
  collectionManagementService,
  knowledgeService,
  triplesService,
  textLoadService,
  documentLoadService,
  // AI services (flow-hosted)
  textCompletionService,
  promptService,
  agentService,
  documentRagService,
  graphRagService,
  embeddingsService,
  ...unsupportedServices,
];
