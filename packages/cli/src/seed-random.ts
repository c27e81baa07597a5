// Randomness and time for the demo data. Every choice comes from a seeded generator and every date from a
// fixed anchor day, so the same seed and the same day always give the same data.

/** mulberry32: small, fast and good enough for demo data; never for anything secret. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes a seed with a stream number, so each part of the data set has its own independent sequence. */
export function subSeed(seed: number, stream: number): number {
  let h = (seed ^ Math.imul(stream + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export class Random {
  readonly next: () => number;

  constructor(seed: number) {
    this.next = prng(seed);
  }

  /** A whole number from min to max, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)]!;
  }

  /** Picks by weight: `[[value, weight], …]`. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of entries) total += w;
    let r = this.next() * total;
    for (const [value, w] of entries) {
      r -= w;
      if (r < 0) return value;
    }
    return entries[entries.length - 1]![0];
  }

  /** Up to `count` different items of the list, in random order. */
  sample<T>(list: readonly T[], count: number): T[] {
    const copy = [...list];
    const n = Math.min(count, copy.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (copy.length - i));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, n);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** A positive factor around 1: exp(N(0, sigma)). */
  spread(sigma: number): number {
    return Math.exp(this.normal() * sigma);
  }

  digits(count: number): string {
    let s = '';
    for (let i = 0; i < count; i++) s += Math.floor(this.next() * 10);
    return s;
  }
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/**
 * The clock of the data set: "now" is 16:00 Beijing time on the anchor day, and business hours are
 * 09:00–18:00 Beijing time (UTC+8). Dates (`YYYY-MM-DD`) are Beijing dates.
 */
export class Clock {
  readonly now: number;
  readonly today: number;
  /** Where the data set's history starts: three years before the anchor day. */
  readonly start: number;

  /** `anchor`: the present of the data set, an instant, or a day (then 08:00 UTC that day). */
  constructor(anchor: string) {
    const day = /^\d{4}-\d{2}-\d{2}$/.test(anchor);
    const at = Date.parse(day ? `${anchor}T08:00:00Z` : anchor);
    if (Number.isNaN(at) || (!day && !/^\d{4}-\d{2}-\d{2}T/.test(anchor))) {
      throw new Error(`the anchor must be a day YYYY-MM-DD or an ISO 8601 instant, got "${anchor}"`);
    }
    this.now = at;
    this.today = Math.floor(at / DAY) * DAY;
    this.start = this.today - 3 * 365 * DAY;
  }

  iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  /** The Beijing date of a moment. */
  date(ms: number): string {
    return new Date(ms + 8 * HOUR).toISOString().slice(0, 10);
  }

  /** Midnight (UTC) of the day a moment falls on, Beijing time. */
  dayOf(ms: number): number {
    return Math.floor((ms + 8 * HOUR) / DAY) * DAY;
  }

  /** A moment during business hours on the day of `ms`, moved off weekends; a past moment stays past. */
  workTime(ms: number, random: Random): number {
    let day = this.dayOf(ms);
    const weekday = new Date(day).getUTCDay();
    if (weekday === 6) day -= DAY;
    if (weekday === 0) day += DAY;
    // 09:00–18:00 Beijing is 01:00–10:00 UTC; whole minutes look like real entries.
    const at = day + HOUR + Math.floor(random.next() * 9 * 60) * 60_000;
    return ms <= this.now && at > this.now ? this.now - Math.floor(random.next() * 120 + 1) * 60_000 : at;
  }

  /** A moment between two others, weighted towards the later one when `recency` > 1. */
  between(from: number, to: number, random: Random, recency = 1): number {
    if (to <= from) return from;
    return from + (to - from) * random.next() ** (1 / recency);
  }
}
