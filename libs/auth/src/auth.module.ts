import {
  Global,
  Inject,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Pool } from 'pg';
import { ApiKeyAdminService } from './api-key.admin.service';
import { ApiKeyController } from './api-key.controller';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';
import { RequestLimits } from './request.limits';
import { AUTH_OPTIONS, AUTH_PG_POOL, type AuthModuleOptions } from './auth.options';

/**
 * API keys for every HTTP app: `AuthModule.forRoot({ databaseUrl })` once in the app module, then
 * `@RequireScope('read')` on controllers or routes. Global, so feature modules need not import it.
 */
@Global()
@Module({})
export class AuthModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('AuthModule');

  constructor(
    @Inject(AUTH_PG_POOL) private readonly pool: Pool,
    private readonly keys: ApiKeyService,
  ) {}

  static forRoot(opts: AuthModuleOptions): DynamicModule {
    return {
      module: AuthModule,
      controllers: opts.adminApi ? [ApiKeyController] : [],
      providers: [
        ApiKeyAdminService,
        RequestLimits,
        { provide: AUTH_OPTIONS, useValue: opts },
        {
          provide: AUTH_PG_POOL,
          useFactory: () => {
            const pool = new Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 4 });
            // An idle client losing its connection must not crash the process; the next query reconnects.
            pool.on('error', () => undefined);
            return pool;
          },
        },
        {
          provide: ApiKeyRepository,
          useFactory: (pool: Pool) => new ApiKeyRepository(pool),
          inject: [AUTH_PG_POOL],
        },
        ApiKeyService,
        ApiKeyGuard,
      ],
      exports: [AUTH_OPTIONS, ApiKeyService, ApiKeyGuard, RequestLimits],
    };
  }

  /** Rows from before the pepper are rewrapped once; until then they verify through the same rule. */
  async onApplicationBootstrap(): Promise<void> {
    try {
      const n = await this.keys.upgradeLegacyHashes();
      if (n > 0) this.log.log(`upgraded ${n} API key hash(es) to the keyed hash`);
    } catch (err) {
      this.log.warn(`API key hashes not upgraded yet: ${(err as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
