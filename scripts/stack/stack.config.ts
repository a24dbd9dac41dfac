import { z } from 'zod';
import { brokers, INFRA_DEFAULTS, int, loadConfig, url, windows, type Env } from '@streammetrics/config';

/** The local registry's port where INFRA_DEFAULTS expects it, unless STACK_REGISTRY_PORT moves it. */
const DEFAULT_REGISTRY_PORT = Number(new URL(INFRA_DEFAULTS.SCHEMA_REGISTRY_URL).port);

/** What the stack command reads from the environment: set URLs mean "use that, start nothing". */
export function loadStackConfig(env: Env = process.env) {
  return loadConfig(
    {
      KAFKA_BROKERS: brokers().optional(),
      DATABASE_URL: z.string().url().optional(),
      REDIS_URL: z.string().url().optional(),
      // The Confluent-compatible API itself: Confluent's registry root, Apicurio's /apis/ccompat/v7.
      SCHEMA_REGISTRY_URL: url(['http', 'https']).optional(),
      STACK_KAFKA_PORT: int(1024, 65535).default(9092),
      STACK_KAFKA_CONTROLLER_PORT: int(1024, 65535).default(9093),
      STACK_KAFKA_HEAP: z
        .string()
        .regex(/^\d+[mg]$/, 'must look like 768m or 1g')
        .default('1g'),
      STACK_REGISTRY_PORT: int(1024, 65535).default(DEFAULT_REGISTRY_PORT),
      KAFKA_REPLICATION_FACTOR: int(1, 5).default(1),
      // The windows whose topics the stack creates (the apps are given the same WINDOWS).
      WINDOWS: windows(),
      // How `npm start` shows the apps' logs: pretty (one readable line per record) or json (as the
      // apps write them). Unset: pretty on a terminal, json otherwise (pipes, CI).
      LOG_FORMAT: z.enum(['pretty', 'json']).optional(),
      // https://no-color.org: any value turns the pretty format's colours off.
      NO_COLOR: z.string().optional(),
    },
    env,
  );
}
export type StackConfig = ReturnType<typeof loadStackConfig>;
