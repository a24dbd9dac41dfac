import { parseArgs } from 'node:util';

export interface E2eArgs {
  quick: boolean;
  /** Offered events/s, one phase each, in order. */
  rates: number[];
  /** Per phase: the load runs warm-up + measure; probes sent in the warm-up are not counted. */
  warmupSec: number;
  measureSec: number;
  /** How long after a phase the last probes may take to reach the WebSocket. */
  drainSec: number;
  probeIntervalMs: number;
  /** Probe series sent to in turn; each is strictly sequential (see runProber). */
  lanes: number;
  /** Events per request, for the load and for each probe. */
  batch: number;
  /** The processor's EMIT_INTERVAL_MS; undefined = its default (what `npm start` runs). */
  emitIntervalMs?: number;
}

export const E2E_USAGE = `usage: npm run bench:e2e -- [--quick] [--rates 1000,10000] [--warmup 15] [--measure 90]
  [--drain 20] [--probe-ms 100] [--lanes 4] [--batch 10] [--emit-interval MS]
  --quick          warm-up 5 s, measure 25 s per rate (the whole run stays under 2 minutes)
  --emit-interval  EMIT_INTERVAL_MS of the processor (default: its own default, as npm start runs it)`;

function num(flag: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} must be an integer >= ${min}, got "${v}"`);
  return n;
}

export function parseE2eArgs(argv: readonly string[]): E2eArgs {
  const { values: v } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: 'boolean' },
      rates: { type: 'string' },
      warmup: { type: 'string' },
      measure: { type: 'string' },
      drain: { type: 'string' },
      'probe-ms': { type: 'string' },
      lanes: { type: 'string' },
      batch: { type: 'string' },
      'emit-interval': { type: 'string' },
    },
  });
  const quick = v.quick === true;
  return {
    quick,
    rates: (v.rates ?? '1000,10000').split(',').map((r) => num('rates', r.trim(), 1)),
    warmupSec: num('warmup', v.warmup ?? (quick ? '5' : '15'), 0),
    measureSec: num('measure', v.measure ?? (quick ? '25' : '90'), 5),
    drainSec: num('drain', v.drain ?? (quick ? '10' : '20'), 1),
    probeIntervalMs: num('probe-ms', v['probe-ms'] ?? '100', 10),
    lanes: num('lanes', v.lanes ?? '4', 1),
    batch: num('batch', v.batch ?? '10', 1),
    emitIntervalMs:
      v['emit-interval'] === undefined ? undefined : num('emit-interval', v['emit-interval'], 10),
  };
}
