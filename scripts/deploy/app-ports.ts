/**
 * The port each app listens on (docs/CONTRACTS.md "Apps"): HTTP for the gateway and the query API, health
 * and /metrics only for the processor and the sink. The Dockerfile's health check, docker/compose.yml
 * and the k8s manifests all use these; scripts/deploy/deploy-manifests.spec.ts holds them together.
 */
export const APP_PORTS = {
  'ingest-gateway': 8080,
  'stream-processor': 9464,
  'aggregate-sink': 9465,
  'query-api': 3000,
  alerting: 9466,
} as const;

export type AppName = keyof typeof APP_PORTS;

export const APP_NAMES = Object.keys(APP_PORTS) as AppName[];

export function isAppName(name: string | undefined): name is AppName {
  return name !== undefined && Object.prototype.hasOwnProperty.call(APP_PORTS, name);
}
