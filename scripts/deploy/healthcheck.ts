/**
 * The container image's HEALTHCHECK (the slim base image has no curl): GET /health/live on the
 * app's own port (the default for $APP, or HEALTHCHECK_PORT for an app moved elsewhere), exit 0 on
 * 2xx. Liveness, not readiness: Docker only reports health, and a broker outage (readiness false)
 * does not make the process broken.
 */
import { int, loadConfig } from '@streammetrics/config';
import { z } from 'zod';
import { APP_PORTS, isAppName } from './app-ports';

export function healthUrl(env: Record<string, string | undefined>): string {
  const cfg = loadConfig({ APP: z.string().optional(), HEALTHCHECK_PORT: int(1, 65535).optional() }, env);
  const port = cfg.HEALTHCHECK_PORT ?? (isAppName(cfg.APP) ? APP_PORTS[cfg.APP] : undefined);
  if (port === undefined) {
    throw new Error(`set APP to one of ${Object.keys(APP_PORTS).join(', ')}, or HEALTHCHECK_PORT`);
  }
  return `http://127.0.0.1:${port}/health/live`;
}

async function main(): Promise<void> {
  const res = await fetch(healthUrl(process.env), { signal: AbortSignal.timeout(4000) });
  process.exit(res.ok ? 0 : 1);
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`healthcheck: ${err.message}\n`);
    process.exit(1);
  });
}
