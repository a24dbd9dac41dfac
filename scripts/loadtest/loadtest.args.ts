import { parseDuration } from '@streammetrics/fleet';

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
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] as string;
    const [flag, inline] = raw.includes('=') ? raw.split(/=(.*)/s, 2) : [raw, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--url':
        args.url = value();
        break;
      case '--key':
        args.key = value();
        break;
      case '--rate': {
        const v = value();
        args.rate = v === 'max' ? undefined : int('--rate', v, 1, 10_000_000);
        break;
      }
      case '--batch':
        args.batch = int('--batch', value(), 1, 100_000);
        break;
      case '--duration': {
        const ms = parseDuration(value());
        if (ms < 1000) throw new Error('--duration must be at least 1s');
        args.durationSec = Math.round(ms / 1000);
        break;
      }
      case '--connections':
        args.connections = int('--connections', value(), 1, 10_000);
        break;
      case '--services':
        args.services = int('--services', value(), 1, 10_000);
        break;
      case '--seed':
        args.seed = int('--seed', value(), 0, 2 ** 31);
        break;
      case '--json':
        args.json = value();
        break;
      default:
        throw new Error(`unknown option ${raw}\n${LOADTEST_USAGE}`);
    }
  }
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
