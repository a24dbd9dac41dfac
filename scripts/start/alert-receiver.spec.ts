import { describeNotification } from './alert-receiver';

describe('the local alert receiver', () => {
  it('prints status, rule and summary of each alert of an Alertmanager body', () => {
    const line = describeNotification({
      version: '4',
      status: 'firing',
      alerts: [
        {
          labels: { alertname: 'PaymentLatencyHigh', service: 'payment-service' },
          annotations: { summary: 'payment-service p95 latency 2400 ms' },
          startsAt: '2026-12-02T18:00:00.000Z',
        },
      ],
    });
    expect(line).toBe(
      'alert FIRING PaymentLatencyHigh: payment-service p95 latency 2400 ms (since 2026-12-02T18:00:00.000Z)',
    );
  });
});
