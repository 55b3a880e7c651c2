import type { ConfigEntry, ConfigKey, ConfigStore } from "../engines/store/store.js";

export type { ConfigEntry, ConfigKey } from "../engines/store/store.js";

/** The whole configuration at one version: `{type: {key: value}}`. */
export interface ConfigSnapshot {
  version: number;
  config: Record<string, Record<string, string>>;
}

/**
 * TrustGraph's configuration (the `config` service, and what other services keep in it: flow
 * blueprints, flows, prompt templates). Values are strings, as in the real server; every change bumps
 * one version number, stored with the values, so clients can tell whether what they cached is current.
 */
export class ConfigService {
  constructor(private readonly store: ConfigStore) {}

  /** The current version (0 on a store whose config was never changed). */
  version(): Promise<number> {
    return this.store.version();
  }

  /** Everything, grouped by type, with its version. */
  async snapshot(): Promise<ConfigSnapshot> {
    const { version, entries } = await this.store.all();
    const config: Record<string, Record<string, string>> = {};
    for (const e of entries) (config[e.type] ??= {})[e.key] = e.value;
    return { version, config };
  }

  /** Keys of one type, sorted. */
  async list(type: string): Promise<string[]> {
    return (await this.store.ofType(type)).map((e) => e.key);
  }

  /** Entries of one type, sorted by key. */
  values(type: string): Promise<ConfigEntry[]> {
    return this.store.ofType(type);
  }

  /** One value, or undefined. */
  async get(type: string, key: string): Promise<string | undefined> {
    return (await this.store.get([{ type, key }]))[0]?.value;
  }

  /** The entries that exist among `keys`, in their order (missing keys are left out). */
  getMany(keys: readonly ConfigKey[]): Promise<ConfigEntry[]> {
    return this.store.get(keys);
  }

  /** Writes values (insert or replace); returns the new version. Nothing to write changes nothing. */
  async put(values: readonly ConfigEntry[]): Promise<number> {
    if (values.length === 0) return this.store.version();
    return this.store.change(values, []);
  }

  /** Removes keys (missing ones are ignored); returns the new version. */
  async delete(keys: readonly ConfigKey[]): Promise<number> {
    if (keys.length === 0) return this.store.version();
    return this.store.change([], keys);
  }
}
