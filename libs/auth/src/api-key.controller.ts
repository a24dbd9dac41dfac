import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { ApiKeyIdentity, RequireScope } from './api-key.decorators';
import { createKeySchema, listKeysSchema, rotateKeySchema, ZodBodyPipe } from './api-key.dto';
import type { ApiKeyRecord } from './api-key.repository';
import { ApiKeyAdminService } from './api-key.admin.service';

/** Key management over REST (scope admin), beside `npm run keys`; both use ApiKeyService. */
@ApiTags('keys')
@Controller('api/v1/keys')
@RequireScope('admin')
export class ApiKeyController {
  constructor(private readonly admin: ApiKeyAdminService) {}

  @Get()
  @ApiOperation({ summary: 'List keys (never their secrets); ?all=true includes revoked and expired ones' })
  list(
    @Query(new ZodBodyPipe(listKeysSchema)) q: z.output<typeof listKeysSchema>,
    @ApiKeyIdentity() caller: ApiKeyIdentity,
  ): Promise<ApiKeyRecord[]> {
    return this.admin.list(caller, q.all === 'true');
  }

  @Post()
  @ApiOperation({ summary: 'Create a key; the answer holds it in clear, the only time it is shown' })
  create(
    @Body(new ZodBodyPipe(createKeySchema)) body: z.output<typeof createKeySchema>,
    @ApiKeyIdentity() caller: ApiKeyIdentity,
  ): Promise<{ key: string; record: ApiKeyRecord }> {
    return this.admin.create(caller, body);
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a key by id or prefix; every replica refuses it within 2 s' })
  revoke(@Param('id') id: string, @ApiKeyIdentity() caller: ApiKeyIdentity): Promise<ApiKeyRecord> {
    return this.admin.revoke(caller, id);
  }

  @Post(':id/rotate')
  @ApiOperation({
    summary: 'A new key with the same grants; the old one lives graceSeconds more (0: revoked)',
  })
  rotate(
    @Param('id') id: string,
    @Body(new ZodBodyPipe(rotateKeySchema)) body: z.output<typeof rotateKeySchema>,
    @ApiKeyIdentity() caller: ApiKeyIdentity,
  ): Promise<{ key: string; record: ApiKeyRecord }> {
    return this.admin.rotate(caller, id, body.graceSeconds);
  }
}
