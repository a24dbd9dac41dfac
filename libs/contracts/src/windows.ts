/**
 * The windows StreamMetrics computes: configuration, read once at start (`WINDOWS`, default
 * "1m,5m,15m,1m-hop10s"), from which topics, the engine's slices, the query API's accepted values
 * and alert rules derive. Every size and advance is a multiple of the slice, their greatest common
 * divisor, which is what makes stream slicing possible.
 */

/** A window id: a size ("1m", "1h"), and for a hopping window "-hop" and its advance ("1m-hop10s"). */
export type WindowId = string;
export type RollupId = '1h' | '1d';

export interface WindowSpec {
  id: WindowId;
  type: 'tumbling' | 'hopping';
  /** Value of `window.size` in the aggregate record, e.g. "1m". */
  size: string;
  sizeMs: number;
  advanceMs: number;
  topic: string;
}

export const DEFAULT_WINDOWS = '1m,5m,15m,1m-hop10s';

/**
 * Windows one slice can belong to at most: the engine marks them as bits of one 31-bit integer.
 * The defaults use 9 (the hopping 1m window covers a slice six times).
 */
export const MAX_WINDOWS_PER_SLICE = 30;

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const WINDOW_ID = /^(\d+)(s|m|h|d)(?:-hop(\d+)(s|m|h|d))?$/;

export class WindowConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid WINDOWS: ${problems.join('; ')}`);
    this.name = 'WindowConfigError';
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** The slice of a window set: the greatest common divisor of every size and advance. */
export function sliceOf(specs: readonly Pick<WindowSpec, 'sizeMs' | 'advanceMs'>[]): number {
  return specs.reduce((g, s) => gcd(gcd(g, s.sizeMs), s.advanceMs), 0);
}

/** Parses a window list such as "1m,5m,15m,1m-hop10s,1h"; every problem is reported at once. */
export function parseWindows(text: string): WindowSpec[] {
  const problems: string[] = [];
  const specs: WindowSpec[] = [];
  const ids = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (ids.length === 0) problems.push('at least one window is needed');
  for (const id of ids) {
    const m = WINDOW_ID.exec(id);
    if (!m) {
      problems.push(
        `"${id}" is not a window (a size such as 1m or 1h, or a hopping window such as 1m-hop10s)`,
      );
      continue;
    }
    const sizeMs = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    const hopping = m[3] !== undefined;
    const advanceMs = hopping ? Number(m[3]) * UNIT_MS[m[4] as keyof typeof UNIT_MS] : sizeMs;
    const before = problems.length;
    if (sizeMs <= 0 || advanceMs <= 0) problems.push(`${id}: size and advance must be positive`);
    else if (hopping && (advanceMs >= sizeMs || sizeMs % advanceMs !== 0)) {
      problems.push(`${id}: a hopping window's size must be a multiple of its advance, and larger`);
    }
    if (specs.some((s) => s.id === id)) problems.push(`${id} is listed twice`);
    const size = `${m[1]}${m[2]}`;
    if (hopping && specs.some((s) => s.type === 'hopping' && s.size === size)) {
      // The aggregate record says type and size, not the advance: two hopping windows of one size
      // could not be told apart by whoever reads them.
      problems.push(`${id}: only one hopping window per size`);
    }
    if (problems.length > before) continue;
    specs.push({
      id,
      type: hopping ? 'hopping' : 'tumbling',
      size,
      sizeMs,
      advanceMs,
      topic: `metrics-aggregated-${id}`,
    });
  }
  const perSlice = specs.reduce((n, s) => n + s.sizeMs / s.advanceMs, 0);
  if (perSlice > MAX_WINDOWS_PER_SLICE) {
    problems.push(
      `a slice would belong to ${perSlice} windows, more than ${MAX_WINDOWS_PER_SLICE} (each hopping window counts size/advance times)`,
    );
  }
  if (problems.length > 0) throw new WindowConfigError(problems);
  return specs;
}

/** The configured windows, in the order configured. Replaced in place by `configureWindows`. */
export const WINDOW_SPECS: WindowSpec[] = parseWindows(DEFAULT_WINDOWS);

/** The configured windows' slice (10 s for the defaults). */
export let SLICE_MS = sliceOf(WINDOW_SPECS);

/**
 * Makes `specs` the windows of this process. Apps call it once at start, before anything reads
 * windows, with what their WINDOWS setting says.
 */
export function configureWindows(specs: readonly WindowSpec[]): void {
  WINDOW_SPECS.splice(0, WINDOW_SPECS.length, ...specs);
  SLICE_MS = sliceOf(WINDOW_SPECS);
}

export function isWindowId(id: string): boolean {
  return WINDOW_SPECS.some((w) => w.id === id);
}

export function windowSpec(id: WindowId): WindowSpec {
  const spec = WINDOW_SPECS.find((w) => w.id === id);
  if (!spec)
    throw new Error(`unknown window ${id} (configured: ${WINDOW_SPECS.map((w) => w.id).join(', ')})`);
  return spec;
}

/** Maps an aggregate record's window (type and size) back to its configured id. */
export function windowIdOf(window: { type: 'tumbling' | 'hopping'; size: string }): WindowId {
  const spec = WINDOW_SPECS.find((w) => w.type === window.type && w.size === window.size);
  if (!spec) throw new Error(`unknown window: ${window.type} ${window.size}`);
  return spec.id;
}
