import type { Publication } from "./types.js";

/** The JSON view of a publication used by `/ws` events and REST history. */
export interface PublicationJson {
  type: string;
  channel: string;
  epoch: string;
  offset: number;
  data: unknown;
  timestamp: string;
}

/** Builds the JSON view (timestamp as ISO 8601). */
export function publicationJson(pub: Publication): PublicationJson {
  return {
    type: pub.type,
    channel: pub.channel,
    epoch: pub.epoch,
    offset: pub.offset,
    data: pub.data,
    timestamp: new Date(pub.time).toISOString(),
  };
}
