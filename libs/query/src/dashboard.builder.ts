import { spawn } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The dashboard's build output is git-ignored, so a fresh clone has none: build it with Vite on
 * start-up when it is missing. It is built into a private folder and renamed into place, so two
 * processes starting together never serve a half-written build.
 */
export async function ensureDashboardBuilt(webDir: string, log: (m: string) => void): Promise<string> {
  const dist = join(webDir, 'dist');
  if (existsSync(join(dist, 'index.html'))) return dist;
  log(`dashboard: no build at ${dist}, building it with Vite`);
  const tmp = join(webDir, `.dist-${process.pid}`);
  const vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        vite,
        'build',
        '--config',
        join(webDir, 'vite.config.mjs'),
        '--outDir',
        tmp,
        '--emptyOutDir',
        '--logLevel',
        'warn',
      ],
      { cwd: webDir, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`vite build exited with ${code}`)),
    );
  });
  try {
    renameSync(tmp, dist);
  } catch {
    // Another process finished first: its build is as good as ours.
    rmSync(tmp, { recursive: true, force: true });
  }
  log(`dashboard: built in ${Date.now() - started} ms`);
  return dist;
}
