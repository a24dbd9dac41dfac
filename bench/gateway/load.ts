import { spawn } from 'node:child_process';
import { join } from 'node:path';

const AUTOCANNON = join(__dirname, '..', '..', 'node_modules', 'autocannon', 'autocannon.js');

export interface LoadResult {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  total: number;
}

/** Runs autocannon in its own process (the load must not share the measured process's event loop). */
export function autocannon(opts: {
  url: string;
  /** The body of a POST; omitted = GET. */
  bodyFile?: string;
  headers: Record<string, string>;
  connections: number;
  durationSec: number;
  /** Fixed total request rate (req/s); omitted = as fast as possible. */
  rate?: number;
}): Promise<LoadResult> {
  const args = [
    AUTOCANNON,
    '--json',
    ...(opts.bodyFile ? ['-m', 'POST', '-i', opts.bodyFile] : []),
    '-c',
    String(opts.connections),
    '-d',
    String(opts.durationSec),
    ...Object.entries(opts.headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]),
    ...(opts.rate ? ['-R', String(Math.max(1, Math.round(opts.rate)))] : []),
    opts.url,
  ];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}: ${err}`));
      const r = JSON.parse(out) as {
        requests: { average: number; total: number };
        latency: { p50: number; p99: number };
        non2xx: number;
        errors: number;
        '2xx': number;
      };
      resolve({
        reqPerSec: r['2xx'] / opts.durationSec,
        p50Ms: r.latency.p50,
        p99Ms: r.latency.p99,
        non2xx: r.non2xx,
        errors: r.errors,
        total: r.requests.total,
      });
    });
  });
}
