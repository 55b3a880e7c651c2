import type { CollectionRecord } from "../../../services/collections.js";
import { operationOf, requiredString, unknownOperation } from "../args.js";
import type { TgBody, TgCall, TgService } from "../service.js";
import { countIn, knowledgeReplies, maybeString, maybeStrings, userOf } from "./knowledge-args.js";

const OPERATIONS = ["list-collections", "update-collection", "delete-collection"] as const;

/** A collection on the wire (CollectionMetadata of the translators); times as ISO 8601. */
const collectionBody = (c: CollectionRecord): TgBody => ({
  user: c.user,
  collection: c.collection,
  name: c.name,
  description: c.description,
  tags: c.tags,
  "created-at": new Date(c.createdAt).toISOString(),
  "updated-at": new Date(c.updatedAt).toISOString(),
});

async function answer(call: TgCall): Promise<TgBody> {
  const req = call.request;
  const { collections } = call.app;
  const op = operationOf(req);
  switch (op) {
    case "list-collections": {
      const list = await collections.list({
        user: userOf(call),
        tagFilter: maybeStrings(req, "tag-filter"),
        limit: req.limit === undefined || req.limit === null ? undefined : countIn(req, "limit", 0),
      });
      return { collections: list.map(collectionBody) };
    }
    case "update-collection": {
      const updated = await collections.update({
        collection: requiredString(req, "collection"),
        user: userOf(call),
        name: maybeString(req, "name"),
        description: maybeString(req, "description"),
        tags: maybeStrings(req, "tags"),
      });
      return { collections: [collectionBody(updated)] };
    }
    case "delete-collection":
      await collections.delete(requiredString(req, "collection"));
      return {};
    default:
      throw unknownOperation("collection-management", op, OPERATIONS);
  }
}

/**
 * `collection-management` (global): list, create or update, and delete collections. Deleting one removes
 * its triples and its documents' membership, not the documents (docs/protocol-trustgraph.md,
 * "Knowledge services"). One reply per request.
 */
export const collectionManagementService: TgService = {
  kind: "collection-management",
  scope: "global",
  handle(call) {
    return knowledgeReplies(
      (async function* () {
        yield await answer(call);
      })(),
    );
  },
};
