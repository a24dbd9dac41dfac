import { LOCAL_API_KEY_PEPPER } from '@streammetrics/config';
import { Pool } from 'pg';
import { ApiKeyRepository, ApiKeyService, type ApiKeyScope } from '@streammetrics/auth';
import { testEnv, uniqueName } from '@streammetrics/testing';

/** Keys straight in the real api_keys table (what `npm run keys -- create` does). */
export class TestKeys {
  private readonly pool = new Pool({ connectionString: testEnv().databaseUrl, max: 2 });
  readonly service = new ApiKeyService(new ApiKeyRepository(this.pool), {
    pepper: LOCAL_API_KEY_PEPPER,
    cacheTtlMs: 0,
  });

  async create(
    scopes: ApiKeyScope[],
    ratePerSecond?: number,
    clientId = uniqueName('client'),
    services: string[] | null = null,
  ) {
    const { key, record } = await this.service.create({
      name: 'e2e',
      clientId,
      scopes,
      ratePerSecond,
      services,
    });
    return { key, id: record.id, clientId };
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

export interface Posted {
  status: number;
  headers: Headers;
  body: {
    error?: { code: string; message: string; problems?: { index: number; field: string; message: string }[] };
  } & Record<string, unknown>;
}

export async function post(
  url: string,
  key: string | undefined,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Posted> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...headers,
    },
    body: Buffer.isBuffer(body)
      ? new Uint8Array(body)
      : typeof body === 'string'
        ? body
        : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : {} };
}
