import { z } from 'zod';
import { brokers, int, loadConfig, type Env } from '@streammetrics/config';

/** What the stack command reads from the environment: set URLs mean "use that, start nothing". */
export function loadStackConfig(env: Env = process.env) {
  return loadConfig(
    {
      KAFKA_BROKERS: brokers().optional(),
      DATABASE_URL: z.string().url().optional(),
      REDIS_URL: z.string().url().optional(),
      STACK_KAFKA_PORT: int(1024, 65535).default(9092),
      STACK_KAFKA_CONTROLLER_PORT: int(1024, 65535).default(9093),
      STACK_KAFKA_HEAP: z
        .string()
        .regex(/^\d+[mg]$/, 'must look like 768m or 1g')
        .default('1g'),
      KAFKA_REPLICATION_FACTOR: int(1, 5).default(1),
    },
    env,
  );
}
export type StackConfig = ReturnType<typeof loadStackConfig>;
