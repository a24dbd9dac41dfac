/** Wall-clock time is an input, not a global: services ask this, tests may replace it. */
export interface Clock {
  now(): number;
}

export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => Date.now() };
