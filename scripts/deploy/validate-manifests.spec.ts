/**
 * The manifest check of CI (`npm run k8s:validate`) run as CI runs it, on k8s/ and on copies of it
 * with one mistake each: it must pass the real manifests and fail every broken copy, naming the
 * object. A plain Node process, because the schema packages are ES modules jest cannot load.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

async function validate(dir?: string): Promise<{ code: number; out: string }> {
  const args = ['-r', '@swc-node/register', join(__dirname, 'validate-manifests.ts'), ...(dir ? [dir] : [])];
  try {
    const r = await run(process.execPath, args, { cwd: ROOT });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

/** A copy of k8s/ with `from` replaced by `to` once in `file`. */
function mutated(file: string, from: string, to: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'k8s-'));
  cpSync(join(ROOT, 'k8s'), dir, { recursive: true });
  const text = readFileSync(join(dir, file), 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no ${from}`);
  writeFileSync(join(dir, file), text.replace(from, to));
  return dir;
}

describe('npm run k8s:validate', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('passes the manifests of k8s/', async () => {
    const r = await validate();
    expect(r.out).toMatch(/, 0 problems/);
    expect(r.code).toBe(0);
  }, 60_000);

  it.each([
    // A misspelt field: the API's schemas allow unknown fields, kubectl's strict validation does not.
    [
      'apps/query-api.yaml',
      '          command: [node',
      '          comand: [node',
      /Deployment\/query-api: .*'"comand"' does not exist/,
    ],
    // A wrong port: the Service's named target no longer exists on the pods.
    [
      'apps/query-api.yaml',
      'targetPort: http',
      'targetPort: web',
      /Service\/query-api: targetPort web is not a port of its pods/,
    ],
    // A secret key nobody creates.
    [
      'apps/ingest-gateway.yaml',
      'key: REDIS_URL',
      'key: REDIS_URI',
      /Secret streammetrics-ingest-gateway has no key REDIS_URI/,
    ],
    // A CRD field with a value the Strimzi schema does not allow.
    [
      'kafka/users.yaml',
      'type: scram-sha-512',
      'type: scram-sha-256',
      /KafkaUser\/ingest-gateway: .*authentication\/type/,
    ],
    // An integer field given as a string (KEDA's schema).
    [
      'apps/stream-processor.yaml',
      'maxReplicaCount: 6',
      "maxReplicaCount: '6'",
      /ScaledObject\/stream-processor: .*maxReplicaCount/,
    ],
  ])(
    'fails %s with %s -> %s',
    async (file, from, to, message) => {
      const dir = mutated(file, from, to);
      dirs.push(dir);
      const r = await validate(dir);
      expect(r.out).toMatch(message);
      expect(r.code).toBe(1);
    },
    60_000,
  );
});
