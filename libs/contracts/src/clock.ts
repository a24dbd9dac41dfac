/**
 * Wall-clock time as an input, not a global: services ask the clock they were given, tests drive
 * it by hand. Stream time never comes from here; it comes from the events.
 */
export interface Clock {
  now(): number;
}

/** The injection token of the clock in the Nest apps. */
export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => Date.now() };

/** A clock a test sets by hand. */
export class ManualClock implements Clock {
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  set(ms: number): void {
    this.current = ms;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
