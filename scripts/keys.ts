/**
 * `npm run keys -- create --name <name> --client <client-id> --scopes ingest,read [--rate <events/s>]`
 * `npm run keys -- list [--all]`
 * `npm run keys -- revoke <id|prefix>`
 * `npm run keys -- rotate <id|prefix> [--grace <seconds>]`
 * API keys in PostgreSQL (DATABASE_URL). `create` prints the key once; only its hash is stored.
 */
import { Pool } from 'pg';
import { authChecks, authShape, INFRA_DEFAULTS, loadConfig, url } from '@streammetrics/config';
import { ApiKeyRepository, ApiKeyService, parseScopes } from '@streammetrics/auth';
import { parseKeysArgs, renderKeyTable } from './keys/keys.args';

async function main(argv: string[]): Promise<void> {
  const cmd = parseKeysArgs(argv);
  const { DATABASE_URL, API_KEY_PEPPER } = loadConfig(
    { DATABASE_URL: url(['postgres', 'postgresql']).default(INFRA_DEFAULTS.DATABASE_URL), ...authShape },
    process.env,
    [authChecks],
  );
  const pool = new Pool({ connectionString: DATABASE_URL, max: 1 });
  const keys = new ApiKeyService(new ApiKeyRepository(pool), { pepper: API_KEY_PEPPER });
  try {
    switch (cmd.command) {
      case 'create': {
        const { key, record } = await keys.create({
          name: cmd.name,
          clientId: cmd.client,
          scopes: parseScopes(cmd.scopes),
          ratePerSecond: cmd.rate ?? null,
          services: cmd.services ?? null,
          expiresAt: cmd.expires ?? null,
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
      case 'rotate': {
        const { key, record } = await keys.rotate(cmd.target, cmd.graceSeconds);
        process.stderr.write(
          `new key ${record.id} (prefix ${record.keyPrefix}) replaces ${cmd.target}` +
            (cmd.graceSeconds > 0 ? `, which works ${cmd.graceSeconds} s more\n` : ', now revoked\n') +
            'store it now: it is not shown again\n',
        );
        process.stdout.write(`${key}\n`);
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
