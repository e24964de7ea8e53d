/**
 * Per-colour rings of keyed slots: the shape the label history (one slot per
 * minute, label-history.ts) and the dashboard's timeline (one per 5-second
 * bucket, timeline.ts) share. Slot `key % size` holds the newest key that
 * landed in it: a value for that key merges in, a newer key takes the slot
 * over, an older one is refused — as is a key `size` or more before now, so
 * memory and storage stay fixed. Pure: "now" is always passed in.
 */
import type { Color } from "../../../contract/colors.js";

/** One slot's key and value. */
export interface RingEntry<T> {
  key: number;
  value: T;
}

/** How a ring copies a value into a slot it takes over, and merges one into a slot it holds. */
export interface RingValues<T> {
  fresh(value: T): T;
  merge(into: T, value: T): void;
}

export class ColorRing<T> {
  readonly size: number;
  readonly #values: RingValues<T>;
  readonly #rings: Record<Color, (RingEntry<T> | undefined)[]>;

  constructor(size: number, values: RingValues<T>) {
    this.size = size;
    this.#values = values;
    this.#rings = { blue: new Array<RingEntry<T> | undefined>(size).fill(undefined), green: new Array<RingEntry<T> | undefined>(size).fill(undefined) };
  }

  /**
   * Merges `value` into `color`'s slot for `key`, taking the slot over from
   * an older key; false when `key` is `size` or more before `nowKey`
   * (Infinity: no limit, for a restore) or older than the key its slot holds.
   */
  place(color: Color, key: number, nowKey: number, value: T): boolean {
    if (nowKey !== Infinity && key <= nowKey - this.size) return false;
    const ring = this.#rings[color];
    const index = key % this.size;
    const slot = ring[index];
    if (slot !== undefined && slot.key > key) return false;
    if (slot === undefined || slot.key < key) {
      ring[index] = { key, value: this.#values.fresh(value) };
      return true;
    }
    this.#values.merge(slot.value, value);
    return true;
  }

  /** The value `color`'s ring holds for `key`, if its slot holds that key. */
  at(color: Color, key: number): T | undefined {
    const slot = this.#rings[color][key % this.size];
    return slot !== undefined && slot.key === key ? slot.value : undefined;
  }

  /** `color`'s slots that hold something, oldest key first. */
  entries(color: Color): RingEntry<T>[] {
    return this.#rings[color].filter((s): s is RingEntry<T> => s !== undefined).sort((a, b) => a.key - b.key);
  }
}
