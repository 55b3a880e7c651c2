import { acpDialect } from "./acp/index.js";
import { channelsDialect } from "./channels/index.js";
import { codegraphDialect } from "./codegraph/index.js";
import type { DialectFactory } from "./dialect.js";
import { nadooDialect } from "./nadoo/index.js";
import { trustgraphDialect } from "./trustgraph/index.js";
import { unacodeDialect } from "./unacode/index.js";

/** Every dialect the gateway serves. A new dialect is one line here. */
export const DIALECTS: readonly DialectFactory[] = [channelsDialect, acpDialect, codegraphDialect, unacodeDialect, nadooDialect, trustgraphDialect];
