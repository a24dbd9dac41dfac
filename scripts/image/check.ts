/**
 * `npm run image:check`: builds docker/Dockerfile with buildah (no Docker engine on the project's
 * machines) on a locally made base image (base-image.sh), then runs from the image, on the host's
 * network against the local stack: the migrations, and each app's entry point until its
 * /health/ready answers 200; the query API must serve the dashboard page and its assets from the
 * image. Prints the
 * image size and the time taken. Storage (layers, the base image) is cached per user, under
 * ~/.cache/streammetrics/image (XDG_CACHE_HOME), so fresh clones on one machine build incrementally.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { int, loadConfig, url } from '@streammetrics/config';
import { z } from 'zod';

const ROOT = join(__dirname, '..', '..');
const STORE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'streammetrics', 'image');
const BUILDAH = [
  '--root',
  join(STORE, 'storage'),
  '--runroot',
  join(STORE, 'run'),
  '--storage-driver',
  'vfs',
];
const IMAGE = 'localhost/streammetrics:check';

const cfg = loadConfig({
  KAFKA_BROKERS: z.string().default('127.0.0.1:9092'),
  DATABASE_URL: url(['postgres', 'postgresql']).default('postgres://postgres@127.0.0.1:5432/postgres'),
  REDIS_URL: url(['redis', 'rediss']).default('redis://127.0.0.1:6379'),
  IMAGE_CHECK_PORT_BASE: int(1024, 60000).default(38000),
  IMAGE_CHECK_TIMEOUT_MS: int(10_000, 600_000).default(180_000),
});

/** The apps, their entry points, and the port variable that moves them off the ports in use here. */
const APPS = [
  { app: 'ingest-gateway', portVar: 'GATEWAY_PORT' },
  { app: 'stream-processor', portVar: 'PROCESSOR_HTTP_PORT' },
  { app: 'aggregate-sink', portVar: 'SINK_HTTP_PORT' },
  { app: 'query-api', portVar: 'QUERY_PORT' },
  { app: 'alerting', portVar: 'ALERTING_HTTP_PORT' },
];

function buildah(args: string[], inherit = true): string {
  const r = spawnSync('buildah', [...BUILDAH, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: inherit ? ['ignore', 'inherit', 'inherit'] : 'pipe',
  });
  if (r.status !== 0) throw new Error(`buildah ${args[0]} failed: ${r.stderr ?? ''}`);
  return (r.stdout ?? '').trim();
}

function base(): string {
  const r = spawnSync(join(__dirname, 'base-image.sh'), BUILDAH, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error('base-image.sh failed');
  return r.stdout.trim().split('\n').at(-1) as string;
}

/** Runs a command in a fresh container of the image; its own process group, so it can be stopped. */
function runInImage(env: Record<string, string>, cmd: string[]): { proc: ChildProcess; ctr: string } {
  const ctr = buildah(['from', '--quiet', IMAGE], false);
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
  const proc = spawn('buildah', [...BUILDAH, 'run', '--isolation', 'chroot', ...envArgs, ctr, '--', ...cmd], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return { proc, ctr };
}

async function waitFor(what: string, probe: () => Promise<boolean>, proc: ChildProcess): Promise<void> {
  const deadline = Date.now() + cfg.IMAGE_CHECK_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${what}: exited with ${proc.exitCode}`);
    if (await probe().catch(() => false)) return;
    await sleep(500);
  }
  throw new Error(`${what}: not ready after ${cfg.IMAGE_CHECK_TIMEOUT_MS} ms`);
}

const ok = async (u: string) => (await fetch(u, { signal: AbortSignal.timeout(2000) })).status === 200;

async function main(): Promise<void> {
  const started = Date.now();
  const node = base();
  buildah([
    'bud',
    '--isolation',
    'chroot',
    '--layers',
    '--format',
    'docker',
    '--volume',
    `${process.env.HOME}/.npm:/root/.npm`,
    '--build-arg',
    `NODE_IMAGE=${node}`,
    '-f',
    'docker/Dockerfile',
    '-t',
    IMAGE,
    '.',
  ]);
  const built = Date.now();
  const size = buildah(['images', '--format', '{{.Size}}', IMAGE], false);

  const env = {
    KAFKA_BROKERS: cfg.KAFKA_BROKERS,
    DATABASE_URL: cfg.DATABASE_URL,
    REDIS_URL: cfg.REDIS_URL,
    // Topics of its own, so the check never reads or writes another run's data.
    TOPIC_PREFIX: `image-check-${randomUUID().slice(0, 8)}-`,
    KAFKA_REPLICATION_FACTOR: '1',
    // The image runs with NODE_ENV=production, where the apps that verify keys refuse the local
    // default pepper: a deployment gives its own (k8s: npm run k8s:secrets).
    API_KEY_PEPPER: randomBytes(32).toString('base64url'),
  };
  const running: { proc: ChildProcess; ctr: string }[] = [];
  try {
    const migrate = runInImage(env, ['node', 'dist/scripts/migrate.js']);
    running.push(migrate);
    const code = await new Promise<number | null>((r) => migrate.proc.on('exit', r));
    if (code !== 0) throw new Error(`migrations from the image exited with ${code}`);
    await Promise.all(
      APPS.map(async ({ app, portVar }, i) => {
        const port = cfg.IMAGE_CHECK_PORT_BASE + i;
        const r = runInImage({ ...env, APP: app, [portVar]: String(port) }, [
          'node',
          `dist/apps/${app}/src/main.js`,
        ]);
        running.push(r);
        let stderr = '';
        r.proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
        await waitFor(app, () => ok(`http://127.0.0.1:${port}/health/ready`), r.proc).catch((err: Error) => {
          throw new Error(`${err.message}\n${stderr}`);
        });
        process.stdout.write(`[image] ${app}: ready on ${port}\n`);
        if (app === 'query-api') await checkDashboard(port);
      }),
    );
  } finally {
    for (const r of running) {
      // SIGTERM to the group: the apps shut down gracefully, as in a pod.
      if (r.proc.exitCode === null && r.proc.pid) process.kill(-r.proc.pid, 'SIGTERM');
    }
    await Promise.all(
      running.map((r) => (r.proc.exitCode === null ? new Promise((res) => r.proc.on('exit', res)) : null)),
    );
    for (const r of running) buildah(['rm', r.ctr], false);
  }
  const s = (ms: number) => `${(ms / 1000).toFixed(0)} s`;
  process.stdout.write(
    `[image] ${IMAGE}: ${size}; build ${s(built - started)}, apps ready ${s(Date.now() - built)}, total ${s(Date.now() - started)}` +
      '\n',
  );
}

async function checkDashboard(port: number): Promise<void> {
  const page = await fetch(`http://127.0.0.1:${port}/`);
  const html = await page.text();
  const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  if (page.status !== 200 || !asset)
    throw new Error(`query-api: / did not serve the dashboard page (${page.status})`);
  if (!(await ok(`http://127.0.0.1:${port}${asset}`))) throw new Error(`query-api: ${asset} not served`);
  process.stdout.write(`[image] query-api: dashboard page and ${asset} served from the image\n`);
}

if (!existsSync(join(ROOT, 'docker', 'Dockerfile'))) throw new Error('run from the repository');
main().catch((err: Error) => {
  process.stderr.write(`image:check: ${err.message}\n`);
  process.exit(1);
});
