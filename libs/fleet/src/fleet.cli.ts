import { z } from 'zod';
import { brokers, int, KAFKA_COMPRESSIONS, kafkaSecurityShape } from '@streammetrics/config';

/** The environment the simulator reads (through loadConfig, once, in scripts/simulate.ts). */
export const fleetEnvShape = {
  KAFKA_BROKERS: brokers().default(['127.0.0.1:9092']),
  KAFKA_REPLICATION_FACTOR: int(1, 5).default(1),
  ...kafkaSecurityShape,
  // The simulated services write like the reference architecture's: snappy batches.
  KAFKA_COMPRESSION: z.enum(KAFKA_COMPRESSIONS).default('snappy'),
  TOPIC_PREFIX: z.string().default(''),
  GATEWAY_URL: z.string().default('http://127.0.0.1:8080'),
  GATEWAY_API_KEY: z.string().optional(),
};

export interface SimulateArgs {
  services: number;
  rate: number;
  durationMs?: number;
  count?: number;
  seed: number;
  late: number;
  outOfOrder: number;
  graceMs: number;
  target: 'kafka' | 'http';
  gatewayUrl: string;
  apiKey?: string;
  topicPrefix: string;
  brokers: string[];
  startTime?: number;
  batchSize: number;
  progressIntervalMs: number;
}

export const SIMULATE_USAGE = `usage: npm run simulate -- [options]
  --services N         simulated services (default 20)
  --rate R             events per second (default 200)
  --duration D         stop after D (60s, 5m, 500ms; plain number = seconds); default: until SIGTERM
  --count N            stop after N events
  --seed S             PRNG seed: same seed, same events and eventIds (default 42)
  --late F             share of events later than the grace (default 0)
  --out-of-order F     share of events out of order within the grace (default 0)
  --grace D            the processor's grace, to place late/out-of-order events (default 10s)
  --target kafka|http  send to Kafka directly or through the ingest gateway (default kafka)
  --gateway-url URL    gateway base URL (default $GATEWAY_URL or http://127.0.0.1:8080)
  --api-key KEY        gateway API key (default $GATEWAY_API_KEY)
  --topic-prefix P     topic prefix (default $TOPIC_PREFIX or "")
  --brokers LIST       Kafka brokers (default $KAFKA_BROKERS or 127.0.0.1:9092)
  --start-time T       backfill: event time starts at T (epoch ms, ISO-8601, or -20m = 20 minutes ago)
                       and advances 1/rate per event; events are sent as fast as possible
  --batch N            events per send (default 1000)
  --progress D         progress line interval (default 5s)`;

/** Parses "60s", "5m", "250ms", "1h" or a plain number of seconds into milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(-?\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: "${text}" (use 500ms, 60s, 5m, 1h)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

function parseTime(text: string, now: number): number {
  if (/^-\d/.test(text)) return now + parseDuration(text);
  if (/^\d+$/.test(text)) return Number(text);
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new Error(`not a time: "${text}"`);
  return t;
}

function num(name: string, text: string | undefined, min: number, max: number, integer = false): number {
  const v = Number(text);
  if (text === undefined || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new Error(
      `--${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got "${text}"`,
    );
  }
  return v;
}

/** Parses the simulator's command line; env values (already validated) are the defaults. */
export function parseSimulateArgs(
  argv: readonly string[],
  env: { KAFKA_BROKERS: string[]; TOPIC_PREFIX: string; GATEWAY_URL: string; GATEWAY_API_KEY?: string },
  now: number = Date.now(),
): SimulateArgs {
  const args: SimulateArgs = {
    services: 20,
    rate: 200,
    seed: 42,
    late: 0,
    outOfOrder: 0,
    graceMs: 10_000,
    target: 'kafka',
    gatewayUrl: env.GATEWAY_URL,
    apiKey: env.GATEWAY_API_KEY,
    topicPrefix: env.TOPIC_PREFIX,
    brokers: env.KAFKA_BROKERS,
    batchSize: 1000,
    progressIntervalMs: 5000,
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
      case '--services':
        args.services = num('services', value(), 1, 10_000, true);
        break;
      case '--rate':
        args.rate = num('rate', value(), 0.001, 10_000_000);
        break;
      case '--duration':
        args.durationMs = parseDuration(value());
        if (args.durationMs <= 0) throw new Error('--duration must be positive');
        break;
      case '--count':
        args.count = num('count', value(), 1, Number.MAX_SAFE_INTEGER, true);
        break;
      case '--seed':
        args.seed = num('seed', value(), 0, 2 ** 32 - 1, true);
        break;
      case '--late':
        args.late = num('late', value(), 0, 1);
        break;
      case '--out-of-order':
        args.outOfOrder = num('out-of-order', value(), 0, 1);
        break;
      case '--grace':
        args.graceMs = parseDuration(value());
        break;
      case '--target': {
        const t = value();
        if (t !== 'kafka' && t !== 'http') throw new Error(`--target must be kafka or http, got "${t}"`);
        args.target = t;
        break;
      }
      case '--gateway-url':
        args.gatewayUrl = value();
        break;
      case '--api-key':
        args.apiKey = value();
        break;
      case '--topic-prefix':
        args.topicPrefix = value();
        break;
      case '--brokers':
        args.brokers = value()
          .split(',')
          .map((b) => b.trim());
        break;
      case '--start-time':
        args.startTime = parseTime(value(), now);
        break;
      case '--batch':
        args.batchSize = num('batch', value(), 1, 100_000, true);
        break;
      case '--progress':
        args.progressIntervalMs = parseDuration(value());
        break;
      case '--help':
      case '-h':
        throw new Error(SIMULATE_USAGE);
      default:
        throw new Error(`unknown option ${raw}\n${SIMULATE_USAGE}`);
    }
  }
  if (args.late + args.outOfOrder > 1) throw new Error('--late plus --out-of-order must not exceed 1');
  if (args.target === 'http' && !args.apiKey)
    throw new Error('--target http needs --api-key or GATEWAY_API_KEY');
  return args;
}
