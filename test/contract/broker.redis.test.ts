import { after } from "node:test";
import { Redis } from "ioredis";
import { RedisBroker } from "../../src/engines/broker/redis.js";
import { brokerContract } from "./broker.contract.js";
import { REDIS_URL, deleteKeys, uniquePrefix } from "../helpers/redis.js";

const prefix = uniquePrefix("contract");
after(async () => {
  const redis = new Redis(REDIS_URL);
  try {
    await deleteKeys(redis, prefix);
  } finally {
    redis.disconnect();
  }
});

brokerContract("redis", (history) => Promise.resolve(new RedisBroker(history, { url: REDIS_URL, keyPrefix: prefix })));
