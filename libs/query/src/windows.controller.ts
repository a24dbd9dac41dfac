import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '@streammetrics/auth';
import type { WindowsResponse } from './api.dto';
import { seriesWindowCatalog } from './windows.catalog';

@ApiTags('query')
@RequireScope('read')
@Controller('api/v1')
export class WindowsController {
  private readonly body: WindowsResponse = { windows: seriesWindowCatalog() };

  @Get('windows')
  @ApiOperation({
    summary: 'The windows `window=` accepts: those this deployment computes (WINDOWS) and the rollups',
  })
  windows(): WindowsResponse {
    return this.body;
  }
}
