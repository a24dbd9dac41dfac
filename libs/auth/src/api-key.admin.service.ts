import { Injectable } from '@nestjs/common';
import { ApiKeyError } from './api-key.errors';
import { apiKeyHttpError } from './api-key.guard';
import type { ApiKeyIdentity } from './api-key.format';
import type { ApiKeyRecord } from './api-key.repository';
import { ApiKeyService, type CreateApiKey } from './api-key.service';

/**
 * The admin API's use of ApiKeyService: the same operations, with ApiKeyErrors as HTTP answers.
 * Only an admin key bound to no service may manage keys: a bound one could otherwise mint itself
 * an unbound key and leave its tenant.
 */
@Injectable()
export class ApiKeyAdminService {
  constructor(private readonly keys: ApiKeyService) {}

  list(caller: ApiKeyIdentity, includeRevoked: boolean): Promise<ApiKeyRecord[]> {
    return this.answer(caller, () => this.keys.list(includeRevoked));
  }

  create(caller: ApiKeyIdentity, input: CreateApiKey): Promise<{ key: string; record: ApiKeyRecord }> {
    return this.answer(caller, () => this.keys.create(input));
  }

  revoke(caller: ApiKeyIdentity, idOrPrefix: string): Promise<ApiKeyRecord> {
    return this.answer(caller, () => this.keys.revoke(idOrPrefix));
  }

  rotate(
    caller: ApiKeyIdentity,
    idOrPrefix: string,
    graceSeconds: number,
  ): Promise<{ key: string; record: ApiKeyRecord }> {
    return this.answer(caller, () => this.keys.rotate(idOrPrefix, graceSeconds));
  }

  private async answer<T>(caller: ApiKeyIdentity, op: () => Promise<T>): Promise<T> {
    try {
      if (caller.services !== null) {
        throw new ApiKeyError('FORBIDDEN', 'an API key bound to services may not manage API keys');
      }
      return await op();
    } catch (err) {
      throw err instanceof ApiKeyError ? apiKeyHttpError(err) : err;
    }
  }
}
