/**
 * How the sink retries a store that is down: the policy is data, in one place (as in
 * kafkajs `retry/defaults.js`). There is no attempt limit on purpose: giving up would mean
 * skipping or dead-lettering records because of an outage, which must never happen; the retries
 * metric and readiness report the outage instead.
 */
export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Fraction of the delay randomised (±), so replicas do not retry in lock-step. */
  jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { initialMs: 100, maxMs: 5_000, factor: 2, jitter: 0.2 };

/** Delay before retry number `attempt` (0-based): capped exponential with jitter. */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxMs, policy.initialMs * Math.pow(policy.factor, Math.min(attempt, 30)));
  const spread = base * policy.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(Math.min(policy.maxMs, base + spread)));
}
