import { steadyWindow } from './throughput';

/** One sample per second from t = 1 s: progress starts at 3 s, 1,000 records a second. */
const samples = Array.from({ length: 60 }, (_, i) => ({
  t: (i + 1) * 1000,
  committed: Math.max(0, i - 2) * 1000,
}));
const first = samples.find((s) => s.committed > 0)!;
const end = samples[samples.length - 1]!;

describe('steadyWindow', () => {
  it('starts the warm-up after the first progress and runs to the end', () => {
    const w = steadyWindow(samples, first, end, 0, { warmupMs: 10_000, minWindowMs: 30_000 });
    expect(w).toEqual({ from: { t: 14_000, committed: 11_000 }, to: end, short: false });
  });

  it('falls back to all the progress, flagged short, when the input runs out before the minimum window', () => {
    const w = steadyWindow(samples, first, end, 0, { warmupMs: 10_000, minWindowMs: 60_000 });
    expect(w).toEqual({ from: first, to: end, short: true });
  });

  it('takes the whole run when everything landed in the first commit seen', () => {
    const w = steadyWindow([end], end, end, 0, { warmupMs: 2_000, minWindowMs: 5_000 });
    expect(w).toEqual({ from: { t: 0, committed: 0 }, to: end, short: false });
  });
});
