import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { QUERY_OPTIONS, type QueryOptions } from './query.options';
import { seriesWindowCatalog } from './windows.catalog';

export const DASHBOARD_DIST = Symbol('DASHBOARD_DIST');

/**
 * Serves the dashboard page with the configuration the browser needs. The read key, when
 * configured, is injected into the page: whoever can load the page can read metrics, so the key
 * must be read-only and the page kept on a trusted network (see apps/query-api/README.md).
 */
@ApiExcludeController()
@Controller()
export class DashboardController {
  private page?: string;

  constructor(
    @Inject(DASHBOARD_DIST) private readonly dist: string,
    @Inject(QUERY_OPTIONS) private readonly opts: QueryOptions,
  ) {}

  @Get('/')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  index(): string {
    this.page ??= this.render();
    return this.page;
  }

  private render(): string {
    const html = readFileSync(join(this.dist, 'index.html'), 'utf8');
    const config = {
      apiKey: this.opts.dashboardApiKey || null,
      livePath: '/api/v1/live',
      windows: seriesWindowCatalog(),
    };
    // A data block, not a script: the CSP (script-src 'self') runs no inline code. "<" is escaped
    // so no value can close the element.
    const json = JSON.stringify(config).replace(/</g, '\\u003c');
    const script = `<script type="application/json" id="streammetrics-config">${json}</script>`;
    return html.replace('</head>', `${script}</head>`);
  }
}
