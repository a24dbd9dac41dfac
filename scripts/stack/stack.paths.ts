import { join, resolve } from 'node:path';

/** Everything the local stack writes lives under .stack/ (git-ignored): jars, config, data, logs. */
export const ROOT = resolve(__dirname, '..', '..');
export const STACK_DIR = join(ROOT, '.stack');
export const KAFKA_DIR = join(STACK_DIR, 'kafka');
export const KAFKA_LIBS = join(KAFKA_DIR, 'libs');
export const KAFKA_DATA = join(KAFKA_DIR, 'data');
export const KAFKA_CONFIG = join(KAFKA_DIR, 'server.properties');
export const KAFKA_LOG4J = join(KAFKA_DIR, 'log4j.properties');
export const KAFKA_PID = join(KAFKA_DIR, 'broker.pid');
export const KAFKA_OUT = join(KAFKA_DIR, 'broker.out');
export const KAFKA_POM = join(ROOT, 'scripts', 'stack', 'kafka.pom.xml');
export const REGISTRY_DIR = join(STACK_DIR, 'registry');
export const REGISTRY_PID = join(REGISTRY_DIR, 'registry.pid');
export const REGISTRY_OUT = join(REGISTRY_DIR, 'registry.out');
export const REGISTRY_DATA = join(REGISTRY_DIR, 'data');
