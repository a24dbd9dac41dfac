import { SLICE_MS } from '@streammetrics/contracts';
import type { Series } from './slice.state';

/** A window whose interim update is due. */
export interface DueWindow {
  series: Series;
  specIndex: number;
  start: number;
}

/**
 * The "on update" emission strategy: a window changed since its last interim record is pending,
 * and is emitted once its emit interval has passed on the wall clock. Closing a window drops its
 * pending update, because the final record supersedes it.
 *
 * The state of a window lives in its series' `emissions` as two numbers: its id, start + specIndex
 * (starts are multiples of the slice, so the id is unique and both parts come back out), and the
 * wall time of its last interim record. A pending window stores its id as -1 - id, so the flag
 * needs no third number. Window objects cost ~110 bytes each, nine per series; this is 16.
 */
export class UpdateThrottle {
  private pendingSeries: Series[] = [];
  private pendingIds: number[] = [];

  /** `windowsPerSlice`: how many windows one slice belongs to, the usual number per series. */
  constructor(
    private readonly intervalMs: number,
    private readonly windowsPerSlice: number,
  ) {}

  get pendingCount(): number {
    return this.pendingIds.length;
  }

  markChanged(series: Series, specIndex: number, start: number): void {
    const id = start + specIndex;
    const at = find(series, id);
    if (at < 0) {
      append(series, pendingId(id), -Infinity, this.windowsPerSlice);
    } else {
      const em = series.emissions as number[];
      if ((em[at] as number) < 0) return;
      em[at] = pendingId(id);
    }
    this.pendingSeries.push(series);
    this.pendingIds.push(id);
  }

  close(series: Series, specIndex: number, start: number): void {
    const at = find(series, start + specIndex);
    if (at < 0) return;
    // Order does not matter here: move the last pair into the gap and shrink.
    const em = series.emissions as number[];
    const last = series.emissionLength - 2;
    em[at] = em[last] as number;
    em[at + 1] = em[last + 1] as number;
    series.emissionLength = last;
    if (last === 0) series.emissions = undefined;
  }

  /**
   * Pending windows whose interval has elapsed, in the order they first changed, at most `limit`;
   * marks them sent. The rest stay pending, in order, for the next call.
   */
  takeDue(wallNow: number, limit = Infinity): DueWindow[] {
    const due: DueWindow[] = [];
    const seriesList = this.pendingSeries;
    const ids = this.pendingIds;
    let kept = 0;
    for (let i = 0; i < ids.length; i++) {
      const series = seriesList[i] as Series;
      const id = ids[i] as number;
      if (due.length >= limit) {
        seriesList[kept] = series;
        ids[kept++] = id;
        continue;
      }
      const at = find(series, id);
      const em = series.emissions;
      // Gone or no longer pending: closed since, and its final superseded the update.
      if (at < 0 || em === undefined || (em[at] as number) >= 0) continue;
      if (wallNow - (em[at + 1] as number) >= this.intervalMs) {
        em[at] = id;
        em[at + 1] = wallNow;
        const specIndex = id % SLICE_MS;
        due.push({ series, specIndex, start: id - specIndex });
      } else {
        seriesList[kept] = series;
        ids[kept++] = id;
      }
    }
    seriesList.length = kept;
    ids.length = kept;
    return due;
  }
}

function pendingId(id: number): number {
  return -1 - id;
}

/** Index of the window's id (pending or not) in its series' emissions, or -1. */
function find(series: Series, id: number): number {
  const em = series.emissions;
  if (em === undefined) return -1;
  const pending = pendingId(id);
  for (let i = 0; i < series.emissionLength; i += 2) {
    const v = em[i] as number;
    if (v === id || v === pending) return i;
  }
  return -1;
}

function append(series: Series, id: number, wall: number, windowsPerSlice: number): void {
  let em = series.emissions;
  const n = series.emissionLength;
  if (em === undefined || n === em.length) {
    // Sized for one slice's windows, so a typical series allocates once and exactly.
    const grown = new Array<number>(Math.max(2 * windowsPerSlice, 2 * n));
    for (let i = 0; i < n; i++) grown[i] = (em as number[])[i] as number;
    series.emissions = em = grown;
  }
  em[n] = id;
  em[n + 1] = wall;
  series.emissionLength = n + 2;
}
