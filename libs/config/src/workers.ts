import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { int } from './config.fields';

/** `<APP>_WORKERS`: HTTP worker processes behind one port; default one per core. */
export const workers = () => int(1, 256).default(availableParallelism());

export interface WorkerPoolOptions {
  /** For the primary's own lines, e.g. "ingest-gateway". */
  app: string;
  count: number;
  /** Runs in each worker (or in this process when count is 1). */
  start: () => Promise<void>;
  /** The primary's log lines (workers log through the app's own logger). */
  log?: (line: string) => void;
}

/** A worker that dies this soon after its start is not restarted in a loop (config, port, …). */
const CRASH_LOOP_MS = 5000;

/**
 * Runs `count` copies of an HTTP app with node:cluster: the primary owns the listening socket and
 * hands connections to the workers round-robin, so they share one port. Node is single-threaded per
 * process; workers are how one pod or one machine uses every core.
 *
 * The primary does no request work. On SIGTERM/SIGINT it forwards SIGTERM to every worker and
 * exits when the last one has: each worker runs its own graceful shutdown (stops accepting, answers
 * its in-flight requests, drains what it accepted), so nothing acknowledged is lost. A worker that
 * dies on its own is replaced, unless it died right after starting (then the primary exits with
 * its code: a worker that cannot start would only fail again).
 */
export async function runWorkers(opts: WorkerPoolOptions): Promise<void> {
  if (opts.count <= 1 || cluster.isWorker) return opts.start();
  const log = opts.log ?? ((line: string) => process.stderr.write(`[${opts.app}] ${line}\n`));
  let stopping = false;
  let exitCode = 0;
  const startedAt = new Map<Worker, number>();
  const fork = () => startedAt.set(cluster.fork(), Date.now());

  cluster.on('exit', (worker, code, signal) => {
    const started = startedAt.get(worker) ?? 0;
    startedAt.delete(worker);
    if (!stopping) {
      if (Date.now() - started < CRASH_LOOP_MS) {
        log(`worker ${worker.process.pid} exited (${signal ?? code}) right after starting; stopping`);
        exitCode = code || 1;
        stop();
      } else {
        log(`worker ${worker.process.pid} exited (${signal ?? code}); starting a new one`);
        fork();
      }
    } else if (code) exitCode = code;
    if (startedAt.size === 0) process.exit(exitCode);
  });

  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const worker of startedAt.keys()) worker.process.kill('SIGTERM');
    if (startedAt.size === 0) process.exit(exitCode);
  };
  // A terminal's Ctrl-C reaches the workers too (same process group); SIGTERM from an orchestrator
  // reaches only the primary, which forwards it.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  log(`starting ${opts.count} workers (pid ${process.pid})`);
  for (let i = 0; i < opts.count; i++) fork();
  return Promise.resolve();
}

/**
 * Node's server.close() closes the keep-alive connections idle at that moment only; one busy then
 * stays open after its answer until the keep-alive timeout (Fastify: 72 s), and with it the
 * worker. From the first shutdown signal on, connections are closed as soon as they turn idle.
 */
export function closeIdleConnectionsOnShutdown(server: { closeIdleConnections(): void }): void {
  const start = () => setInterval(() => server.closeIdleConnections(), 50).unref();
  process.once('SIGTERM', start);
  process.once('SIGINT', start);
}
