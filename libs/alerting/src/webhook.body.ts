/**
 * The body Prometheus Alertmanager POSTs to a webhook receiver (version "4"), so receivers written
 * for Alertmanager work unchanged. StreamMetrics sends one alert per notification.
 */
export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface WebhookBody {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: WebhookAlert[];
}

/** Alertmanager's "not resolved yet" end time. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface NotificationFacts {
  status: 'firing' | 'resolved';
  ruleName: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  fingerprint: string;
  /** Event time it fired. */
  startsAt: number;
  /** Event time it resolved (resolved notifications). */
  endsAt: number | null;
  externalUrl: string;
}

export function webhookBody(n: NotificationFacts): WebhookBody {
  const service = n.labels.service ?? '';
  return {
    version: '4',
    groupKey: `{}:{alertname="${n.ruleName}"}`,
    truncatedAlerts: 0,
    status: n.status,
    receiver: n.ruleName,
    groupLabels: { alertname: n.ruleName },
    commonLabels: n.labels,
    commonAnnotations: n.annotations,
    externalURL: n.externalUrl,
    alerts: [
      {
        status: n.status,
        labels: n.labels,
        annotations: n.annotations,
        startsAt: new Date(n.startsAt).toISOString(),
        endsAt: n.status === 'resolved' && n.endsAt !== null ? new Date(n.endsAt).toISOString() : ZERO_TIME,
        generatorURL: `${n.externalUrl}/#/services/${encodeURIComponent(service)}`,
        fingerprint: n.fingerprint,
      },
    ],
  };
}

/** What a receiver deduplicates by: the same alert, the same firing, the same status. */
export function idempotencyKey(fingerprint: string, startsAt: number, status: 'firing' | 'resolved'): string {
  return `${fingerprint}-${startsAt}-${status}`;
}
