import type { Db } from "../db/connection.ts";
import type { DevicePlace, DeviceProgramme } from "./device_programme.ts";
import { programmeOf } from "./device_programme.ts";

/**
 * How long this instance trusts its copy of programme data without a second look. Changes
 * normally arrive sooner: every write to programme tables notifies `le_programme` on commit
 * (a trigger), and each instance listening drops its copies at once. The bound holds when a
 * notification is lost (a dropped listening connection, which also clears on reconnect).
 */
export const PROGRAMME_CACHE_TTL_MS = 5_000;
export const PROGRAMME_CHANNEL = "le_programme";
const MAX_ENTRIES = 10_000;

interface Entry<T> {
  until: number;
  value: Promise<T>;
}

/**
 * Near-static programme data that every POS call needs — which merchant and group a store
 * belongs to, the group's settings, later its published rules — kept per instance so that a
 * warm POS call reads none of it from the database. `clear` is called when this instance
 * writes (at once) and when any instance's write is notified.
 */
export class ProgrammeCache {
  readonly #db: Db;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry<unknown>>();

  constructor(db: Db, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  /** The device's merchant, group and the group's settings (see `programmeOf`). */
  programmeOf(place: DevicePlace): Promise<DeviceProgramme | null> {
    const key = `place|${place.org}|${place.store ?? ""}|${place.merchant ?? ""}`;
    return this.remember(key, () => programmeOf(this.#db, place));
  }

  /**
   * Anything derived from programme data, under `key` (e.g. a group's compiled published
   * rules): loaded once, shared by concurrent callers, dropped with everything else.
   */
  remember<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.#now();
    const hit = this.#entries.get(key) as Entry<T> | undefined;
    if (hit && hit.until > now) return hit.value;
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    const entry: Entry<T> = { until: now + PROGRAMME_CACHE_TTL_MS, value: load() };
    this.#entries.set(key, entry);
    // A failed load (database down) is no answer: the next call tries again.
    entry.value.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    return entry.value;
  }

  /** Forgets everything: programme data changed somewhere. */
  clear(): void {
    this.#entries.clear();
  }
}
