/** xoshiro128**, seeded through splitmix32; two draws make one 53-bit uniform double. */
export function seededUniform(seed: number): () => number {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  return () => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function seededNormal(seed: number): () => number {
  const uniform = seededUniform(seed);
  let spare = NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const z = spare;
      spare = NaN;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const theta = 2 * Math.PI * uniform();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
}

export interface Dataset {
  name: string;
  description: string;
  values: Float64Array;
}

function generate(n: number, sample: () => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = sample();
  return out;
}

/** The seven data sets of issue 3, each with its own fixed seed. */
export function makeDatasets(n: number): Dataset[] {
  const uniform = seededUniform(1);
  const normal = seededNormal(2);
  const latency = seededNormal(3);
  const pareto = seededUniform(4);
  const sortedSource = seededNormal(5);
  const dupes = seededNormal(6);
  const ascending = generate(n, () => Math.exp(3 + sortedSource())).sort();
  return [
    { name: 'uniform', description: 'U[0, 1)', values: generate(n, uniform) },
    { name: 'normal', description: 'N(0, 1), mixed sign', values: generate(n, normal) },
    {
      name: 'lognormal',
      description: 'exp(N(3, 1)), latency-like',
      values: generate(n, () => Math.exp(3 + latency())),
    },
    {
      name: 'pareto',
      description: 'Pareto xm=1, alpha=1.5 (heavy tail)',
      values: generate(n, () => (1 - pareto()) ** (-1 / 1.5)),
    },
    { name: 'sorted-asc', description: 'lognormal, ascending', values: ascending },
    { name: 'sorted-desc', description: 'lognormal, descending', values: ascending.slice().reverse() },
    {
      name: 'duplicates',
      description: 'floor(exp(N(2, 1))): ~60 distinct integers',
      values: generate(n, () => Math.floor(Math.exp(2 + dupes()))),
    },
  ];
}

/** Consecutive slices, as a stream of 10 s / 1 min windows would cut the data. */
export function sliceBounds(n: number, slices: number, s: number): [number, number] {
  return [Math.floor((s * n) / slices), Math.floor(((s + 1) * n) / slices)];
}
