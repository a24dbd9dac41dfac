/**
 * The Secrets of a deployment, with fresh random passwords: none is committed. Each app gets one
 * Secret holding only what it uses; the stores get theirs. Kafka passwords are not here: Strimzi's
 * User Operator makes one Secret per KafkaUser. Prints YAML for
 *   npm run --silent k8s:secrets | kubectl create -n streammetrics -f -
 * (`create`, not `apply`: running it twice must not replace passwords the stores already use).
 */
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';

export interface SecretObject {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: { name: string; labels: Record<string, string> };
  type: 'Opaque';
  stringData: Record<string, string>;
}

const DB = { user: 'streammetrics', database: 'streammetrics', host: 'postgres:5432' };

export function deploymentSecrets(
  password: () => string = () => randomBytes(24).toString('base64url'),
  pepperOf: () => string = () => randomBytes(32).toString('base64url'),
) {
  const pg = password();
  const redis = password();
  const databaseUrl = `postgres://${DB.user}:${pg}@${DB.host}/${DB.database}`;
  const redisUrl = `redis://:${redis}@redis:6379`;
  // The pepper of API key hashes (HMAC): the gateway and the query API must hold the same one.
  const pepper = pepperOf();
  const secret = (name: string, stringData: Record<string, string>): SecretObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, labels: { 'app.kubernetes.io/part-of': 'streammetrics' } },
    type: 'Opaque',
    stringData,
  });
  return [
    secret('streammetrics-postgres', { POSTGRES_PASSWORD: pg }),
    secret('streammetrics-redis', { REDIS_PASSWORD: redis }),
    secret('streammetrics-ingest-gateway', {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      API_KEY_PEPPER: pepper,
    }),
    secret('streammetrics-aggregate-sink', { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl }),
    secret('streammetrics-query-api', {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      API_KEY_PEPPER: pepper,
    }),
    secret('streammetrics-alerting', { DATABASE_URL: databaseUrl }),
  ];
}

if (require.main === module) {
  process.stdout.write(
    deploymentSecrets()
      .map((s) => stringify(s))
      .join('---\n'),
  );
}
