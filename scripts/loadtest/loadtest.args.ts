import { parseArgs } from 'node:util';
import { parseDuration } from '@streammetrics/fleet';

const FLAGS = ['url', 'key', 'rate', 'batch', 'duration', 'connections', 'services', 'seed', 'json'] as const;

export interface LoadtestArgs {
  /** The ingest route: --url, with /api/v1/events added when it names no path. */
  url: string;
  key?: string;
  /** Total requests per second; undefined = as fast as the target answers. */
  rate?: number;
  batch: number;
  durationSec: number;
  connections: number;
  services: number;
  seed: number;
  /** Where to write the result as JSON, if anywhere. */
  json?: string;
}

export const LOADTEST_USAGE = `usage: npm run loadtest -- [options]
  --url URL            gateway base URL or ingest route (default http://127.0.0.1:8080)
  --key KEY            API key with the ingest scope (default: GATEWAY_API_KEY, or the key
                       \`npm start\` made in .stack/local-keys.json)
  --rate N | max       total requests per second (default max: as fast as it answers)
  --batch N            events per request (default 10; 1 sends one event object)
  --duration D         how long, e.g. 30s, 2m (default 30s)
  --connections N      concurrent connections (default 32)
  --services N         services in the seeded fleet model (default 20)
  --seed N             fleet seed (default 42)
  --json FILE          also write the result as JSON`;

function int(flag: string, text: string, min: number, max: number): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min || v > max)
    throw new Error(`${flag} must be an integer in [${min}, ${max}], got "${text}"`);
  return v;
}

/** Parses the command line; every bad option is reported with what was expected. */
export function parseLoadtestArgs(argv: readonly string[], env: { GATEWAY_API_KEY?: string }): LoadtestArgs {
  const args: LoadtestArgs = {
    url: 'http://127.0.0.1:8080',
    key: env.GATEWAY_API_KEY,
    batch: 10,
    durationSec: 30,
    connections: 32,
    services: 20,
    seed: 42,
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      options: Object.fromEntries(FLAGS.map((f) => [f, { type: 'string' as const }])),
    }).values as Partial<Record<(typeof FLAGS)[number], string>>;
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${LOADTEST_USAGE}`);
  }
  const v = parsed;
  if (v.url !== undefined) args.url = v.url;
  if (v.key !== undefined) args.key = v.key;
  if (v.rate !== undefined) args.rate = v.rate === 'max' ? undefined : int('--rate', v.rate, 1, 10_000_000);
  if (v.batch !== undefined) args.batch = int('--batch', v.batch, 1, 100_000);
  if (v.duration !== undefined) {
    const ms = parseDuration(v.duration);
    if (ms < 1000) throw new Error('--duration must be at least 1s');
    args.durationSec = Math.round(ms / 1000);
  }
  if (v.connections !== undefined) args.connections = int('--connections', v.connections, 1, 10_000);
  if (v.services !== undefined) args.services = int('--services', v.services, 1, 10_000);
  if (v.seed !== undefined) args.seed = int('--seed', v.seed, 0, 2 ** 31);
  if (v.json !== undefined) args.json = v.json;
  let url: URL;
  try {
    url = new URL(args.url);
  } catch {
    throw new Error(`--url must be an http(s) URL, got "${args.url}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`--url must be an http(s) URL, got "${args.url}"`);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/api/v1/events';
  args.url = url.toString();
  return args;
}
