import { SLICE_MS, type WindowId, type WindowSpec } from '@streammetrics/contracts';

/** Start of the one 10 s slice an event timestamp falls into. */
export function sliceStartOf(timestamp: number): number {
  return timestamp - (timestamp % SLICE_MS);
}

/** Start of every window of `spec` that contains `timestamp`, latest first; none start before epoch 0. */
export function windowStartsOf(spec: WindowSpec, timestamp: number): number[] {
  const latest = timestamp - (timestamp % spec.advanceMs);
  const starts: number[] = [];
  for (let start = latest; start > timestamp - spec.sizeMs && start >= 0; start -= spec.advanceMs) {
    starts.push(start);
  }
  return starts;
}

/**
 * The windows a slice belongs to, as bits of one integer: spec i owns `instances` consecutive bits
 * from `bitOffset`, bit k meaning the window that starts k hops before the slice's latest window.
 * Keeping "which windows did this record reach" as a bitmask lets the hot path mark a slice without
 * allocating, and lets a late record that fits only some of them (5m and 15m still open, 1m
 * closed) say exactly which windows it changed.
 */
export class WindowLayout {
  readonly specs: readonly WindowSpec[];
  readonly instances: readonly number[];
  readonly bitOffset: readonly number[];
  readonly specMask: readonly number[];
  readonly allBits: number;
  readonly maxSizeMs: number;

  constructor(specs: readonly WindowSpec[]) {
    this.specs = specs;
    const instances: number[] = [];
    const offsets: number[] = [];
    const masks: number[] = [];
    let bits = 0;
    for (const spec of specs) {
      const n = spec.sizeMs / spec.advanceMs;
      instances.push(n);
      offsets.push(bits);
      masks.push(((1 << n) - 1) << bits);
      bits += n;
    }
    if (bits > 30) throw new RangeError(`too many overlapping windows per slice (${bits} > 30)`);
    this.instances = instances;
    this.bitOffset = offsets;
    this.specMask = masks;
    this.allBits = (1 << bits) - 1;
    this.maxSizeMs = Math.max(...specs.map((s) => s.sizeMs));
  }

  /** Start of window `k` (0 = latest) of spec `i` containing the slice starting at `sliceStart`. */
  windowStart(i: number, k: number, sliceStart: number): number {
    const spec = this.specs[i] as WindowSpec;
    return sliceStart - (sliceStart % spec.advanceMs) - k * spec.advanceMs;
  }

  /** Bits of the windows that exist for this slice (hopping windows never start before epoch 0). */
  validMask(sliceStart: number): number {
    if (sliceStart >= this.maxSizeMs) return this.allBits;
    let mask = 0;
    for (let i = 0; i < this.specs.length; i++) {
      const n = this.instances[i] as number;
      for (let k = 0; k < n; k++) {
        if (this.windowStart(i, k, sliceStart) >= 0) mask |= 1 << ((this.bitOffset[i] as number) + k);
      }
    }
    return mask;
  }

  /** Bits of the windows of this slice that still accept records: streamTime < end + grace. */
  openMask(sliceStart: number, streamTime: number, graceMs: number): number {
    let mask = 0;
    for (let i = 0; i < this.specs.length; i++) {
      const spec = this.specs[i] as WindowSpec;
      const n = this.instances[i] as number;
      const offset = this.bitOffset[i] as number;
      let start = sliceStart - (sliceStart % spec.advanceMs);
      // k grows towards older windows, whose ends are earlier: once one is closed, so are the rest.
      for (let k = 0; k < n && start >= 0; k++, start -= spec.advanceMs) {
        if (streamTime >= start + spec.sizeMs + graceMs) break;
        mask |= 1 << (offset + k);
      }
    }
    return mask;
  }

  /** Window ids with at least one bit in `bits`. */
  idsOf(bits: number): WindowId[] {
    const ids: WindowId[] = [];
    for (let i = 0; i < this.specs.length; i++) {
      if (bits & (this.specMask[i] as number)) ids.push((this.specs[i] as WindowSpec).id);
    }
    return ids;
  }

  /** Stream time at which the last window containing this slice closes; the slice is dead after. */
  sliceExpiry(sliceStart: number, graceMs: number): number {
    let latestEnd = 0;
    for (const spec of this.specs) {
      const end = sliceStart - (sliceStart % spec.advanceMs) + spec.sizeMs;
      if (end > latestEnd) latestEnd = end;
    }
    return latestEnd + graceMs;
  }
}
