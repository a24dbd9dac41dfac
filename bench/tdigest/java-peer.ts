import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from './datasets';

const JAVA_DIR = join(__dirname, 'java');
const TARGET = join(JAVA_DIR, 'target');
const SOURCE = join(JAVA_DIR, 'src/main/java/streammetrics/JavaPeer.java');
const CLASS_FILE = join(TARGET, 'classes/streammetrics/JavaPeer.class');
const CLASSPATH_FILE = join(TARGET, 'classpath.txt');

export interface JavaDatasetResult {
  name: string;
  single: number[];
  nsPerAdd: number;
  nsPerQuantile: number;
  centroids: number;
  bytes: number;
  merged: Record<string, number[]>;
}

export type JavaOutcome = { ok: true; datasets: JavaDatasetResult[] } | { ok: false; reason: string };

/**
 * Runs com.tdunning:t-digest:3.3 MergingDigest on exactly the bench's data. Maven only resolves the
 * jar's classpath (once); javac compiles the one class. Any failure is reported, never thrown, so a
 * machine without Java still gets the rest of the bench.
 */
export function runJavaPeer(
  datasets: Dataset[],
  compression: number,
  sliceCounts: number[],
  qs: readonly number[],
): JavaOutcome {
  mkdirSync(TARGET, { recursive: true });
  const build = buildPeer();
  if (build !== null) return { ok: false, reason: build };
  const dataFile = join(TARGET, 'bench-data.bin');
  writeFileSync(dataFile, encodeDatasets(datasets));
  const classpath = `${join(TARGET, 'classes')}:${readFileSync(CLASSPATH_FILE, 'utf8').trim()}`;
  const run = spawnSync(
    'java',
    [
      '-Xmx2g',
      '-cp',
      classpath,
      'streammetrics.JavaPeer',
      dataFile,
      String(compression),
      sliceCounts.join(','),
      qs.join(','),
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (run.status !== 0) return { ok: false, reason: `java exited ${run.status}: ${run.stderr || run.error}` };
  const parsed = JSON.parse(run.stdout) as { datasets: JavaDatasetResult[] };
  return { ok: true, datasets: parsed.datasets };
}

function buildPeer(): string | null {
  if (!existsSync(CLASSPATH_FILE)) {
    const mvn = spawnSync(
      'mvn',
      ['-q', '-B', 'dependency:build-classpath', `-Dmdep.outputFile=${CLASSPATH_FILE}`],
      { cwd: JAVA_DIR, encoding: 'utf8' },
    );
    if (mvn.status !== 0)
      return `mvn dependency:build-classpath failed: ${mvn.stdout}${mvn.stderr}${mvn.error ?? ''}`;
  }
  if (existsSync(CLASS_FILE) && statSync(CLASS_FILE).mtimeMs >= statSync(SOURCE).mtimeMs) return null;
  const classpath = readFileSync(CLASSPATH_FILE, 'utf8').trim();
  const javac = spawnSync('javac', ['-d', join(TARGET, 'classes'), '-cp', classpath, SOURCE], {
    encoding: 'utf8',
  });
  return javac.status === 0 ? null : `javac failed: ${javac.stderr}${javac.error ?? ''}`;
}

/** int32 count, then per data set: int32 name length, UTF-8 name, int32 n, n float64; little-endian. */
function encodeDatasets(datasets: Dataset[]): Buffer {
  const parts: Buffer[] = [int32(datasets.length)];
  for (const d of datasets) {
    const name = Buffer.from(d.name, 'utf8');
    parts.push(int32(name.length), name, int32(d.values.length));
    const values = Buffer.alloc(d.values.length * 8);
    for (let i = 0; i < d.values.length; i++) values.writeDoubleLE(d.values[i]!, i * 8);
    parts.push(values);
  }
  return Buffer.concat(parts);
}

function int32(x: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(x);
  return b;
}
