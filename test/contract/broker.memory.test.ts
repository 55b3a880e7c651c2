import { MemoryBroker } from "../../src/engines/broker/memory.js";
import { brokerContract } from "./broker.contract.js";

brokerContract("memory", (history) => Promise.resolve(new MemoryBroker(history)));
