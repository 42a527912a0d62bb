/**
 * How hard the reliability suite pushes, and the randomness it pushes with.
 *
 * Two variants: the short one runs inside `npm test` (small data, two or three crash iterations,
 * a few hundred fuzz cases, minutes on two cores); `LAGEBILD_RELIABILITY=long` runs the long one
 * (the iteration counts of TARGETS.md, all demo half-years plus synthetic ones). Every random
 * choice (kill moments, fuzz inputs, synthetic values) comes from one seeded generator per spec,
 * and the seed is printed and written to the report: `LAGEBILD_RELIABILITY_SEED=<seed>` replays
 * a failing run's choices (the moments a kill lands on still depend on the machine's speed).
 */

export type Variant = 'short' | 'long';

export interface Mode {
  variant: Variant;
  seed: number;
  /** Crash iterations: each starts from a fresh copy of the prepared data directory. */
  crashIterations: number;
  /** Demo half-years delivered in the crash and idempotence runs (plus one correction). */
  halfYears: number;
  /** Synthetic half-years (2025 onwards) made from the last real one, only in the long variant. */
  syntheticHalfYears: number;
  /** Fuzzed delivery files per base file (CSV, XLSX, JSON). */
  fileFuzzRuns: number;
  /** Random JSON bodies per HTTP route, on top of the fixed malformed-input list. */
  routeFuzzRuns: number;
  /** Clock jumps tried (alternating back and forward). */
  clockJumps: number;
}

function parseSeed(text: string | undefined): number {
  if (text === undefined || text === '') return (Date.now() ^ (process.pid << 16)) >>> 0;
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`LAGEBILD_RELIABILITY_SEED="${text}" ist keine ganze Zahl zwischen 0 und 4294967295.`);
  }
  return seed;
}

export function readMode(env: NodeJS.ProcessEnv = process.env): Mode {
  const raw = env.LAGEBILD_RELIABILITY ?? 'short';
  if (raw !== 'short' && raw !== 'long') throw new Error(`LAGEBILD_RELIABILITY="${raw}": erlaubt sind short (Vorgabe) und long.`);
  const seed = parseSeed(env.LAGEBILD_RELIABILITY_SEED);
  return raw === 'long'
    ? { variant: 'long', seed, crashIterations: 25, halfYears: 8, syntheticHalfYears: 6, fileFuzzRuns: 150, routeFuzzRuns: 40, clockJumps: 4 }
    : { variant: 'short', seed, crashIterations: 2, halfYears: 3, syntheticHalfYears: 0, fileFuzzRuns: 10, routeFuzzRuns: 3, clockJumps: 2 };
}

/** A small, fast, seedable PRNG (mulberry32): the same seed gives the same sequence everywhere. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** A new generator derived from this one, for an independent stream of choices. */
  fork(): Random;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const random: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => {
      if (items.length === 0) throw new Error('pick: leere Liste');
      return items[Math.floor(next() * items.length)]!;
    },
    fork: () => createRandom(Math.floor(next() * 4294967296)),
  };
  return random;
}
