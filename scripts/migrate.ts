/**
 * `node dist/scripts/migrate.js` (k8s Job, compose init) or `npm run migrate`: applies pending
 * PostgreSQL migrations and exits. Idempotent; node-pg-migrate's lock makes concurrent runs safe.
 */
import { ConfigError, loadConfig, url } from '@streammetrics/config';
import { INFRA_DEFAULTS } from '@streammetrics/config';
import { migrate } from '@streammetrics/storage';

async function main(): Promise<void> {
  const { DATABASE_URL } = loadConfig({
    DATABASE_URL: url(['postgres', 'postgresql']).default(INFRA_DEFAULTS.DATABASE_URL),
  });
  const ran = await migrate(DATABASE_URL);
  process.stdout.write(`[migrate] ${ran.length === 0 ? 'up to date' : `applied ${ran.join(', ')}`}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`[migrate] ${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
  process.exit(1);
});
