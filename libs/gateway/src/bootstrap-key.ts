import type { Logger } from '@nestjs/common';
import type { ApiKeyService } from '@streammetrics/auth';

/**
 * `npm start` runs a simulated fleet that needs a key: when GATEWAY_BOOTSTRAP_KEY is set, a key with
 * exactly that secret (scopes ingest,read) is created if missing. An existing one is left alone.
 */
export async function ensureBootstrapKey(
  keys: ApiKeyService,
  key: string | undefined,
  clientId: string,
  log: Logger,
): Promise<void> {
  if (!key) return;
  const r = await keys.ensure(key, { name: 'bootstrap', clientId, scopes: ['ingest', 'read'] });
  if (r.record.revokedAt)
    log.warn(`GATEWAY_BOOTSTRAP_KEY (prefix ${r.record.keyPrefix}) is revoked; left as is`);
  else
    log.log(
      `bootstrap key ${r.inserted ? 'created' : 'present'} (prefix ${r.record.keyPrefix}, client ${r.record.clientId})`,
    );
}
