/**
 * How `npm start` runs the apps: the local keys, the environment every app gets, and how one app's
 * process is spawned. The end-to-end benchmark (bench/e2e) starts the platform with the same code,
 * so what it measures is what `npm start` runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateApiKey } from '@streammetrics/auth';
import type { StackEndpoints } from '../stack/stack.service';
import { ROOT, STACK_DIR } from '../stack/stack.paths';

export interface LocalKeys {
  /** Scope read: the dashboard page's key (query-api creates it when missing). */
  dashboard: string;
  /** Scopes ingest,read: the gateway's bootstrap client, used by the fleet simulator. */
  gateway: string;
}

/**
 * Local keys for the dashboard (read) and the gateway's bootstrap client (ingest), made once and
 * kept under .stack/ so a restart keeps the same keys. The apps create them in api_keys if missing.
 */
export function localKeys(): LocalKeys {
  const file = join(STACK_DIR, 'local-keys.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as LocalKeys;
  const keys = { dashboard: generateApiKey().key, gateway: generateApiKey().key };
  mkdirSync(STACK_DIR, { recursive: true });
  writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}

/** The environment of every app: the keys and rule file as defaults, the stack's endpoints as set. */
export function platformEnv(ep: StackEndpoints, keys: LocalKeys, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    DASHBOARD_API_KEY: keys.dashboard,
    GATEWAY_BOOTSTRAP_KEY: keys.gateway,
    ALERT_RULES_FILE: join(ROOT, 'scripts', 'start', 'alert-rules.yaml'),
    ...base,
    KAFKA_BROKERS: ep.kafkaBrokers.join(','),
    DATABASE_URL: ep.databaseUrl,
    REDIS_URL: ep.redisUrl,
    ...(ep.schemaRegistryUrl ? { SCHEMA_REGISTRY_URL: ep.schemaRegistryUrl } : {}),
  };
}

/** The apps under apps/ that have a main, in start order (alphabetical). */
export function appNames(): string[] {
  const appsDir = join(ROOT, 'apps');
  return (existsSync(appsDir) ? readdirSync(appsDir).sort() : []).filter((app) =>
    existsSync(join(appsDir, app, 'src', 'main.ts')),
  );
}

/** A script of this repository run by Node with the TypeScript loader, output piped. */
export function spawnScript(script: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['-r', '@swc-node/register', script, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** One app's process (apps/<app>/src/main.ts). */
export function spawnApp(app: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawnScript(join('apps', app, 'src', 'main.ts'), [], env);
}
