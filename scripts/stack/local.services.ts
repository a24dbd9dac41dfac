import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { Client } from 'pg';
import Redis from 'ioredis';
import { maskUrlPassword } from '@streammetrics/config';
import { sleep } from './net.util';

/** A service URL as an error message may show it: never its password. */
const shown = (url: string) => maskUrlPassword(url) ?? '(unparseable URL)';

type Log = (msg: string) => void;

async function pgReachable(url: string): Promise<string | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisReachable(url: string): Promise<string | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    redis.disconnect();
  }
}

async function waitUntil(
  check: () => Promise<string | undefined>,
  timeoutMs: number,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last = await check();
  while (last !== undefined && Date.now() < deadline) {
    await sleep(300);
    last = await check();
  }
  return last;
}

/**
 * Makes PostgreSQL answer at `url`. With DATABASE_URL set we only check it; otherwise we start the
 * machine's own cluster if it is installed but stopped, and say what to install if it is not.
 */
export async function ensurePostgres(url: string, explicit: boolean, log: Log): Promise<void> {
  const problem = await pgReachable(url);
  if (problem === undefined) return;
  if (explicit) throw new Error(`DATABASE_URL: cannot connect to ${shown(url)}: ${problem}`);
  const versions = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : [];
  if (versions.length === 0 || spawnSync('which', ['pg_ctlcluster']).status !== 0) {
    throw new Error(
      `PostgreSQL is not reachable at ${shown(url)} (${problem}) and is not installed: ` +
        'install it (apt-get install postgresql) or set DATABASE_URL',
    );
  }
  log(`starting the local PostgreSQL ${versions[0]} cluster...`);
  const r = spawnSync(
    'pg_ctlcluster',
    ['--skip-systemctl-redirect', versions[0] as string, 'main', 'start'],
    {
      encoding: 'utf8',
    },
  );
  const after = await waitUntil(() => pgReachable(url), 20_000);
  if (after !== undefined) throw new Error(`PostgreSQL did not start: ${r.stderr || after}`);
}

/** Same contract as ensurePostgres, for Redis at `url`. */
export async function ensureRedis(url: string, explicit: boolean, log: Log): Promise<void> {
  const problem = await redisReachable(url);
  if (problem === undefined) return;
  if (explicit) throw new Error(`REDIS_URL: cannot connect to ${shown(url)}: ${problem}`);
  if (spawnSync('which', ['redis-server']).status !== 0) {
    throw new Error(
      `Redis is not reachable at ${shown(url)} (${problem}) and is not installed: ` +
        'install it (apt-get install redis-server) or set REDIS_URL',
    );
  }
  log('starting the local Redis...');
  const port = new URL(url).port || '6379';
  const r = spawnSync(
    'redis-server',
    ['--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', port, '--save', '', '--appendonly', 'no'],
    { encoding: 'utf8' },
  );
  const after = await waitUntil(() => redisReachable(url), 10_000);
  if (after !== undefined) throw new Error(`Redis did not start: ${r.stderr || after}`);
}

export { pgReachable, redisReachable };
