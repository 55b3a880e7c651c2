import type { PublicationCodec } from "../../core/connection.js";
import type { GatewayError } from "../../core/errors.js";
import { publicationJson } from "../../core/publication.js";
import { errorCodeFor } from "./codes.js";


/** Encodes publications for `/ws`, once per publication (Buffer, so ws does not re-encode per socket). */
export const channelsCodec: PublicationCodec = {
  key: "channels",
  encode: (pub) => Buffer.from(JSON.stringify(publicationJson(pub))),
};

/** A reply or server frame: `{"type","id"?,"data"}`. */
export function frame(type: string, id: string | number | undefined, data: unknown): string {
  return JSON.stringify(id === undefined ? { type, data } : { type, id, data });
}

/** The error frame for `err`. */
export function errorFrame(err: GatewayError, id?: string | number): string {
  const data: Record<string, unknown> = { code: errorCodeFor(err.code, err.kind), message: err.message };
  if (err.retryAfterSec !== undefined) data.retry_after = err.retryAfterSec;
  return frame("error", id, data);
}
