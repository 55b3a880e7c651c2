import { z } from "zod";

/** Request ids are echoed as given: a string or a number. */
const id = z.union([z.string().max(128), z.number()]);
const position = z.object({ epoch: z.string().max(64), offset: z.number().int().min(0) });

/** Every inbound frame: `{"type", "id"?, "data"?}`. */
export const envelopeSchema = z.object({
  type: z.string(),
  id: id.optional(),
  data: z.unknown().optional(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

/** `data` of each command, by type (docs/protocol-channels.md). */
export const commandSchemas = {
  auth: z.object({ token: z.string().min(1).max(8192) }),
  subscribe: z.object({ channel: z.string(), recover: position.optional() }),
  unsubscribe: z.object({ channel: z.string() }),
  publish: z.object({ channel: z.string(), type: z.string().optional(), data: z.unknown() }),
  history: z.object({
    channel: z.string(),
    since: z.union([position, z.number().int().min(0)]).optional(),
    limit: z.number().int().min(0).max(10_000).optional(),
  }),
  presence: z.object({ channel: z.string() }),
  ping: z.unknown(),
} as const;
export type CommandType = keyof typeof commandSchemas;
export type CommandData<T extends CommandType> = z.infer<(typeof commandSchemas)[T]>;

export const isCommandType = (t: string): t is CommandType => Object.hasOwn(commandSchemas, t);
