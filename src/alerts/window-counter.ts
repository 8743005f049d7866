import { LRUCache } from 'lru-cache';

/**
 * Counts events per key within a sliding window. Written here because the rate-limit
 * library counts requests, not arbitrary events, and reports nothing when a threshold is
 * first crossed; an LRU bounds memory when keys are many (one per IP, say).
 */
export class WindowCounter {
  readonly #windowMs: number;
  readonly #hits: LRUCache<string, number[]>;

  constructor(windowSeconds: number, maxKeys = 10_000) {
    this.#windowMs = windowSeconds * 1000;
    this.#hits = new LRUCache({ max: maxKeys, ttl: this.#windowMs });
  }

  /** Records one event for `key` at `now` and returns how many fell within the window. */
  hit(key: string, now: number): number {
    const hits = this.#hits.get(key) ?? [];
    // Events arrive in time order, so the expired ones are at the front: dropping them in place
    // keeps a hit cheap however many the window holds (one per request, for a busy token).
    const expired = hits.findIndex((at) => now - at < this.#windowMs);
    hits.splice(0, expired === -1 ? hits.length : expired);
    hits.push(now);
    this.#hits.set(key, hits);
    return hits.length;
  }

  /** How many events for `key` fell within the window, without recording one. */
  count(key: string, now: number): number {
    return (this.#hits.get(key) ?? []).filter((at) => now - at < this.#windowMs).length;
  }

  /** Starts the count for `key` over, once an alert has been raised for it. */
  reset(key: string): void {
    this.#hits.delete(key);
  }
}
