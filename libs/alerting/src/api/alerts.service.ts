import { Injectable } from '@nestjs/common';
import type { Alert, AlertHistoryEntry } from '@streammetrics/contracts/api';
import { silenceMatches } from '../silence.match';
import { SilencesRepository } from '../silences.repository';
import type { AlertsQuery, HistoryQuery } from './alerting-api.dto';
import { AlertsRepository } from './alerts.repository';

/** Active alerts (with whether a silence covers them now) and their transitions. */
@Injectable()
export class AlertsService {
  constructor(
    private readonly alerts: AlertsRepository,
    private readonly silences: SilencesRepository,
  ) {}

  async active(q: AlertsQuery): Promise<{ alerts: Alert[] }> {
    // The silences in force are read once per request, not once per alert.
    const [alerts, silences] = await Promise.all([this.alerts.active(q), this.silences.active()]);
    return {
      alerts: alerts.map((a) => ({
        ...a,
        silenced: silences.some((s) => silenceMatches(s.matchers, a.labels)),
      })),
    };
  }

  async history(q: HistoryQuery): Promise<{ entries: AlertHistoryEntry[] }> {
    return { entries: await this.alerts.history(q) };
  }
}
