import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRunnerJar, registryJavaArgs } from './schema-registry';

describe('the local schema registry', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'registry-app-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A distribution tree as the tarball has it: the runner jar next to lib/. */
  function unpacked(at: string, version: string, withLib = true): string {
    mkdirSync(at, { recursive: true });
    if (withLib) mkdirSync(join(at, 'lib'));
    const jar = join(at, `apicurio-registry-app-${version}-runner.jar`);
    writeFileSync(jar, '');
    return jar;
  }

  it('finds the runner jar at the top of the tree or one folder down', () => {
    expect(findRunnerJar(dir, '3.0.9')).toBeUndefined();
    const nested = unpacked(join(dir, 'apicurio-registry-app-3.0.9'), '3.0.9');
    expect(findRunnerJar(dir, '3.0.9')).toBe(nested);
    const top = unpacked(dir, '3.0.9');
    expect(findRunnerJar(dir, '3.0.9')).toBe(top);
  });

  it('takes neither another version nor a tree without its lib/ for a cached registry', () => {
    unpacked(dir, '3.0.8');
    expect(findRunnerJar(dir, '3.0.9')).toBeUndefined();
    unpacked(join(dir, 'half'), '3.0.9', false);
    expect(findRunnerJar(dir, '3.0.9')).toBeUndefined();
    expect(findRunnerJar(join(dir, 'missing'), '3.0.9')).toBeUndefined();
  });

  it('listens on loopback only, on the given port, keeps its schemas in a file, and ends with the jar', () => {
    const args = registryJavaArgs('/x/runner.jar', 18081, '/x/data');
    expect(args).toEqual(
      expect.arrayContaining([
        '-Dquarkus.http.host=127.0.0.1',
        '-Dquarkus.http.port=18081',
        '-Dapicurio.datasource.url=jdbc:h2:file:/x/data/registry',
      ]),
    );
    expect(args.slice(-2)).toEqual(['-jar', '/x/runner.jar']);
  });
});
