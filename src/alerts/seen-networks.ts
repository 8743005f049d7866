import { LRUCache } from 'lru-cache';
import type { SqliteDatabase } from '../core/database.ts';
import { addCredentialNetwork, credentialNetworks, touchCredentialNetwork, trimCredentialNetworks } from './network-store.ts';

/** What a sighting of a credential on a network was: its very first, one seen before, or one never seen before. */
export type Sighting = 'baseline' | 'known' | 'new';

export interface SeenNetworksOptions {
  /** How many networks are remembered per credential, the most recently seen. */
  keep?: number;
  /** How stale a network's last-seen time may get before it is written again. */
  touchSeconds?: number;
  /** How many credentials' networks are held in memory. */
  cachedCredentials?: number;
}

/**
 * LOG-06: the networks each bearer credential was used from, in the control database, with
 * the recent credentials' sets cached in memory so a request from a known network costs a
 * map lookup and no write. Only network prefixes reach this class, never addresses.
 */
export class SeenNetworks {
  readonly #db: SqliteDatabase;
  readonly #keep: number;
  readonly #touchMs: number;
  /** credential → network → when it was last recorded as seen (ms). */
  readonly #cache: LRUCache<string, Map<string, number>>;

  constructor(db: SqliteDatabase, options: SeenNetworksOptions = {}) {
    this.#db = db;
    this.#keep = options.keep ?? 50;
    this.#touchMs = (options.touchSeconds ?? 3600) * 1000;
    this.#cache = new LRUCache({ max: options.cachedCredentials ?? 10_000 });
  }

  sighting(credential: string, workspaceId: string, network: string, now: Date): Sighting {
    const seen = this.#load(credential);
    const last = seen.get(network);
    if (last !== undefined) {
      // Recency only decides which networks are kept, so an hourly write per network is enough.
      if (now.getTime() - last >= this.#touchMs) {
        touchCredentialNetwork(this.#db, credential, network, now.toISOString());
        seen.set(network, now.getTime());
      }
      return 'known';
    }
    const first = seen.size === 0;
    addCredentialNetwork(this.#db, { credential, workspaceId, network, at: now.toISOString() });
    seen.set(network, now.getTime());
    if (seen.size > this.#keep) {
      trimCredentialNetworks(this.#db, credential, this.#keep);
      this.#cache.delete(credential);
    }
    return first ? 'baseline' : 'new';
  }

  #load(credential: string): Map<string, number> {
    let seen = this.#cache.get(credential);
    if (!seen) {
      seen = new Map(credentialNetworks(this.#db, credential).map((row) => [row.network, Date.parse(row.lastSeenAt)]));
      this.#cache.set(credential, seen);
    }
    return seen;
  }
}
