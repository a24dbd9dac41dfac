// The npm `tdigest` package ships no types; this covers what the bench calls.
declare module 'tdigest' {
  export interface Centroid {
    mean: number;
    n: number;
  }
  export class TDigest {
    constructor(delta?: number, K?: number, CX?: number);
    push(x: number | number[], n?: number): void;
    push_centroid(c: Centroid | Centroid[]): void;
    percentile(p: number): number;
    compress(): void;
    size(): number;
    toArray(): Centroid[];
  }
}
