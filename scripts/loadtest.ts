/**
 * `npm run loadtest -- --url http://host:8080 --key KEY [--rate N|max] [--batch N] [--duration 30s]
 * [--connections N]`: load against any ingest gateway, with bodies from the seeded fleet model,
 * a live progress line and a final table (req/s, events/s, p50/p95/p99/max, answers by status).
 * Built on autocannon; `--help` lists every option.
 */
import autocannon from 'autocannon';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@streammetrics/config';
import { z } from 'zod';
import { LOADTEST_USAGE, parseLoadtestArgs } from './loadtest/loadtest.args';
import { LoadtestBodies } from './loadtest/loadtest.bodies';
import { formatSummary, LoadtestStats, progressLine, summarize } from './loadtest/loadtest.stats';
import { STACK_DIR } from './stack/stack.paths';

/** The ingest key `npm start` made, so a load test of the local platform needs no --key. */
function localGatewayKey(): string | undefined {
  const file = join(STACK_DIR, 'local-keys.json');
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { gateway?: string }).gateway;
}

async function main(): Promise<number> {
  if (process.argv.includes('--help')) {
    process.stdout.write(`${LOADTEST_USAGE}\n`);
    return 0;
  }
  const env = loadConfig({ GATEWAY_API_KEY: z.string().min(1).optional() });
  let args;
  try {
    args = parseLoadtestArgs(process.argv.slice(2), env);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const key = args.key ?? localGatewayKey();
  if (!key) process.stderr.write('[loadtest] no --key (nor GATEWAY_API_KEY): expect 401 answers\n');
  const bodies = new LoadtestBodies(args.batch, { services: args.services, seed: args.seed });
  const stats = new LoadtestStats();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;

  const started = Date.now();
  let lastAnswers = 0;
  let lastOk = 0;
  const instance = autocannon(
    {
      url: args.url,
      connections: args.connections,
      duration: args.durationSec,
      overallRate: args.rate,
      timeout: 30,
      requests: [
        {
          method: 'POST',
          headers,
          setupRequest: (req) => ({ ...req, body: bodies.next(Date.now()) }),
        },
      ],
    },
    () => undefined,
  );
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) =>
    stats.record(status, ms),
  );
  instance.on('tick', () => {
    const second = { answers: stats.answers - lastAnswers, ok: stats.ok - lastOk };
    lastAnswers = stats.answers;
    lastOk = stats.ok;
    const line = progressLine(
      Math.round((Date.now() - started) / 1000),
      args.durationSec,
      second,
      stats,
      args.batch,
    );
    process.stderr.write(process.stderr.isTTY ? `\r${line}\u001b[K` : `${line}\n`);
  });
  const stop = () => instance.stop();
  process.once('SIGINT', stop);
  const result = await new Promise<autocannon.Result>((resolve) => instance.once('done', resolve));
  if (process.stderr.isTTY) process.stderr.write('\n');
  const summary = summarize(
    stats,
    { ...args, elapsedSec: (Date.now() - started) / 1000 },
    { errors: result.errors - result.timeouts, timeouts: result.timeouts },
  );
  process.stdout.write(`${formatSummary(summary)}\n`);
  if (args.json) writeFileSync(args.json, `${JSON.stringify(summary, null, 2)}\n`);
  // Nothing acknowledged at all is a failed load test (wrong URL, key, or a target that is down).
  return stats.ok > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`[loadtest] ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
