/**
 * `npm run keys -- create --name <name> --client <client-id> --scopes ingest,read [--rate <events/s>]`
 * `npm run keys -- list [--all]`
 * `npm run keys -- revoke <id|prefix>`
 * API keys in PostgreSQL (DATABASE_URL). `create` prints the key once; only its hash is stored.
 */
import { Pool } from 'pg';
import { INFRA_DEFAULTS, loadConfig, url } from '@streammetrics/config';
import { ApiKeyRepository, ApiKeyService, parseScopes } from '@streammetrics/auth';
import { parseKeysArgs, renderKeyTable } from './keys/keys.args';

async function main(argv: string[]): Promise<void> {
  const cmd = parseKeysArgs(argv);
  const { DATABASE_URL } = loadConfig({
    DATABASE_URL: url(['postgres', 'postgresql']).default(INFRA_DEFAULTS.DATABASE_URL),
  });
  const pool = new Pool({ connectionString: DATABASE_URL, max: 1 });
  const keys = new ApiKeyService(new ApiKeyRepository(pool));
  try {
    switch (cmd.command) {
      case 'create': {
        const { key, record } = await keys.create({
          name: cmd.name,
          clientId: cmd.client,
          scopes: parseScopes(cmd.scopes),
          ratePerSecond: cmd.rate ?? null,
        });
        process.stderr.write(
          `created key ${record.id} (prefix ${record.keyPrefix}, client ${record.clientId}, scopes ${record.scopes.join(',')})\n` +
            'store it now: it is not shown again\n',
        );
        process.stdout.write(`${key}\n`);
        return;
      }
      case 'list':
        process.stdout.write(renderKeyTable(await keys.list(cmd.all)));
        return;
      case 'revoke': {
        const r = await keys.revoke(cmd.target);
        process.stdout.write(`revoked ${r.id} (${r.name}, prefix ${r.keyPrefix})\n`);
        return;
      }
    }
  } finally {
    await pool.end();
  }
}

main(process.argv.slice(2)).catch((err: Error) => {
  process.stderr.write(`[keys] ${err.message}\n`);
  process.exit(1);
});
