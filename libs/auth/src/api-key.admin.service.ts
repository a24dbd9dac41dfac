import { Injectable } from '@nestjs/common';
import { ApiKeyError } from './api-key.errors';
import { apiKeyHttpError } from './api-key.guard';
import type { ApiKeyRecord } from './api-key.repository';
import { ApiKeyService, type CreateApiKey } from './api-key.service';

/** The admin API's use of ApiKeyService: the same operations, with ApiKeyErrors as HTTP answers. */
@Injectable()
export class ApiKeyAdminService {
  constructor(private readonly keys: ApiKeyService) {}

  list(includeRevoked: boolean): Promise<ApiKeyRecord[]> {
    return this.keys.list(includeRevoked);
  }

  create(input: CreateApiKey): Promise<{ key: string; record: ApiKeyRecord }> {
    return this.keys.create(input);
  }

  revoke(idOrPrefix: string): Promise<ApiKeyRecord> {
    return this.answer(this.keys.revoke(idOrPrefix));
  }

  rotate(idOrPrefix: string, graceSeconds: number): Promise<{ key: string; record: ApiKeyRecord }> {
    return this.answer(this.keys.rotate(idOrPrefix, graceSeconds));
  }

  private answer<T>(p: Promise<T>): Promise<T> {
    return p.catch((err: unknown) => {
      throw err instanceof ApiKeyError ? apiKeyHttpError(err) : err;
    });
  }
}
