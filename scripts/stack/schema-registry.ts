import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getCompatibility, putCompatibility } from '@streammetrics/registry';
import { isPortOpen, sleep } from './net.util';
import { daemonPid, startJavaDaemon, stopJavaDaemon, type JavaDaemon } from './java.daemon';
import { REGISTRY_DATA, REGISTRY_DIR, REGISTRY_OUT, REGISTRY_PID } from './stack.paths';

/** Apicurio Registry: it serves the Confluent schema registry API and runs on the JVM we already need. */
export const APICURIO_VERSION = '3.0.9';
const ARTIFACT = `io.apicurio:apicurio-registry-app:${APICURIO_VERSION}:tar.gz:all`;
/**
 * Plugin 2.8 on purpose: 3.x reads the artifact's POM, whose parent (io.apicurio:apicurio-registry)
 * is not on Maven Central, and fails. 2.8's own unpack truncates the tarball's long file names
 * (PAX headers), so the tarball is copied and the system tar unpacks it.
 */
const COPY_GOAL = 'org.apache.maven.plugins:maven-dependency-plugin:2.8:copy';
const APP_DIR = join(REGISTRY_DIR, `apicurio-registry-app-${APICURIO_VERSION}`);
/** A few schemas: 256 MB of heap is plenty, the process stays near 200 MB. */
const HEAP = '256m';
const GLOBAL_COMPATIBILITY = 'BACKWARD';

export interface RegistryOptions {
  port: number;
  /** The Confluent-compatible API of the registry on `port`. */
  url: string;
  log: (msg: string) => void;
}

/** The Quarkus runner jar in an unpacked distribution (top level or one folder down), if complete. */
export function findRunnerJar(dir: string, version = APICURIO_VERSION): string | undefined {
  const name = `apicurio-registry-app-${version}-runner.jar`;
  const candidates = [dir];
  if (existsSync(dir)) {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) candidates.push(join(dir, entry.name));
    }
  }
  for (const d of candidates) {
    const jar = join(d, name);
    // The jar's manifest names its classpath under lib/: without lib/ the tree is half unpacked.
    if (existsSync(jar) && statSync(jar).isFile() && existsSync(join(d, 'lib'))) return jar;
  }
  return undefined;
}

/**
 * Runs a command to its end without blocking (the broker, PostgreSQL and Redis start meanwhile),
 * keeping its output for the error message: Debian's Maven writes colour codes even with -q -B.
 */
function run(
  command: string,
  args: string[],
): Promise<{ status: number | null; error?: Error; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (b: Buffer) => (output = (output + b.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (error) => resolve({ status: null, error, output }));
    child.once('close', (status) => resolve({ status, output }));
  });
}

/** Resolves the registry from Maven Central once (about 109 MB); later calls find it unpacked. */
export async function ensureRegistryApp(log: (msg: string) => void): Promise<string> {
  const cached = findRunnerJar(APP_DIR);
  if (cached) return cached;
  log(`resolving Apicurio Registry ${APICURIO_VERSION} from Maven Central (first run only, ~109 MB)...`);
  // Unpacked next to the final place and renamed at the end: an interrupted run leaves no tree that
  // a later run would take for complete.
  const staging = `${APP_DIR}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const mvn = await run('mvn', [
    '-q',
    '-B',
    COPY_GOAL,
    `-Dartifact=${ARTIFACT}`,
    `-DoutputDirectory=${staging}`,
  ]);
  if (mvn.error) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(
      `cannot run mvn (${mvn.error.message}): install Java 17 and Maven, or set SCHEMA_REGISTRY_URL`,
    );
  }
  if (mvn.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`mvn dependency:copy of ${ARTIFACT} failed with exit code ${mvn.status}:\n${mvn.output}`);
  }
  const tarball = join(staging, `apicurio-registry-app-${APICURIO_VERSION}-all.tar.gz`);
  const tar = await run('tar', ['-xzf', tarball, '-C', staging]);
  if (tar.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`cannot unpack ${tarball}: ${tar.error?.message ?? tar.output}`);
  }
  // Maven keeps its own copy in the local repository; a second one here would only take space.
  rmSync(tarball);
  rmSync(APP_DIR, { recursive: true, force: true });
  renameSync(staging, APP_DIR);
  const jar = findRunnerJar(APP_DIR);
  if (!jar) throw new Error(`no apicurio-registry-app-${APICURIO_VERSION}-runner.jar in ${APP_DIR}`);
  return jar;
}

/**
 * The JVM command line: loopback only, no UI or auth, and the schemas in an H2 file under `data`
 * instead of Apicurio's default in-memory database. The broker keeps its topics across `stack down`
 * and `up`, so the registry must keep the ids their framed values carry: a restarted in-memory
 * registry would hand the same ids to other schemas.
 */
export function registryJavaArgs(jar: string, port: number, data = REGISTRY_DATA): string[] {
  return [
    `-Xmx${HEAP}`,
    // The registry answers a handful of requests: the C1 compiler alone starts it about a second
    // sooner and keeps the process smaller than the full tiered compilation.
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
    '-Dquarkus.http.host=127.0.0.1',
    `-Dquarkus.http.port=${port}`,
    // The same schema with other whitespace or key order must give the same id, not a new version;
    // Apicurio compares the raw text unless told otherwise.
    '-Dapicurio.ccompat.use-canonical-hash=true',
    `-Dapicurio.datasource.url=jdbc:h2:file:${join(data, 'registry')}`,
    '-jar',
    jar,
  ];
}

const REGISTRY: JavaDaemon = { name: 'the schema registry', pidFile: REGISTRY_PID, outFile: REGISTRY_OUT };

export function registryPid(): number | undefined {
  return daemonPid(REGISTRY);
}

/** Why a call to the registry failed, in a few words: fetch hides the socket error in `cause`. */
export function registryProblemOf(err: unknown): string {
  const e = err as Error & { cause?: { code?: string } };
  return e.cause?.code ?? e.message;
}

/** Undefined when the Confluent-compatible API answers at `url`, else why not. */
export async function registryProblem(url: string, timeoutMs = 1500): Promise<string | undefined> {
  try {
    await getCompatibility(url, undefined, timeoutMs);
    return undefined;
  } catch (err) {
    return registryProblemOf(err);
  }
}

/** Waits until the registry answers its API (its storage is ready by then, not just the port). */
export async function waitForRegistry(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = await registryProblem(url);
  while (last !== undefined && Date.now() < deadline) {
    await sleep(200);
    last = await registryProblem(url);
  }
  if (last !== undefined) throw new Error(`no answer from ${url} within ${timeoutMs} ms: ${last}`);
}

/**
 * Apicurio starts with global compatibility NONE: after every start the local registry is set to
 * BACKWARD like a production one (idempotent), and read back to be sure it took.
 */
async function ensureGlobalCompatibility(url: string): Promise<void> {
  await putCompatibility(url, GLOBAL_COMPATIBILITY);
  const level = await getCompatibility(url);
  if (level !== GLOBAL_COMPATIBILITY) {
    throw new Error(`the registry at ${url} reports compatibility ${level} after it was set to BACKWARD`);
  }
}

/** Starts the local registry unless ours already runs. Returns how it went, for the status line. */
export async function startRegistry(
  o: RegistryOptions,
): Promise<'started' | 'already running' | 'found running (not started from this checkout)'> {
  if (registryPid() !== undefined) {
    await waitForRegistry(o.url, 60_000);
    await ensureGlobalCompatibility(o.url);
    return 'already running';
  }
  if (await isPortOpen('127.0.0.1', o.port)) {
    // Another checkout's registry on the default address is as good as ours, as with the broker.
    if ((await registryProblem(o.url)) === undefined) {
      await ensureGlobalCompatibility(o.url);
      return 'found running (not started from this checkout)';
    }
    throw new Error(
      `port ${o.port} is taken by a process that does not serve ${o.url}; ` +
        'set SCHEMA_REGISTRY_URL to use another registry, or STACK_REGISTRY_PORT to move ours',
    );
  }
  const jar = await ensureRegistryApp(o.log);
  mkdirSync(REGISTRY_DIR, { recursive: true });
  await startJavaDaemon(
    REGISTRY,
    registryJavaArgs(jar, o.port),
    async () => {
      await waitForRegistry(o.url, 90_000);
      await ensureGlobalCompatibility(o.url);
    },
    REGISTRY_DIR,
  );
  return 'started';
}

/** Stops the registry with SIGTERM (H2 closes its file), SIGKILL after 30 s. */
export function stopRegistry(): Promise<'stopped' | 'not running'> {
  return stopJavaDaemon(REGISTRY, 30_000);
}
