import { join } from 'node:path';
import { runner } from 'node-pg-migrate';

export const MIGRATIONS_DIR = join(__dirname, 'migrations');

/**
 * Applies pending migrations. node-pg-migrate takes an advisory lock, so replicas starting together
 * migrate once. Returns the names of the migrations that ran.
 */
export async function migrate(databaseUrl: string, log: (msg: string) => void = () => {}): Promise<string[]> {
  const ran = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    count: Infinity,
    singleTransaction: true,
    // Several features add migrations independently; order among already-run ones is not enforced.
    checkOrder: false,
    log,
    verbose: false,
  });
  return ran.map((m) => m.name);
}
