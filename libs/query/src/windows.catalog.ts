import { WINDOW_SPECS } from '@streammetrics/contracts';
import type { SeriesWindowInfo } from './api.dto';
import { seriesWindows, windowSizeMs, windowStepMs } from './query.dto';

/**
 * The windows of this deployment as the API and the dashboard present them: the configured
 * windows (WINDOWS) first, then the rollups, finest step first within each.
 */
export function seriesWindowCatalog(): SeriesWindowInfo[] {
  const configured = new Map(WINDOW_SPECS.map((w) => [w.id, w]));
  // A configured 1h window shares its id with the 1h rollup: list it once, as the live window.
  return [...new Set(seriesWindows())].map((id) => {
    const spec = configured.get(id);
    return {
      id,
      kind: spec?.type ?? 'rollup',
      sizeMs: windowSizeMs(id),
      stepMs: windowStepMs(id),
      live: spec !== undefined,
    };
  });
}
