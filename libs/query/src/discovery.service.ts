import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, tagsKey } from '@streammetrics/contracts';
import { ColdStoreRepository } from './cold-store.repository';
import { HotStoreRepository, type Seen } from './hot-store.repository';
import type { MetricsResponse, NamedItem, ServicesResponse, TagsResponse } from './api.dto';
export type { NamedItem } from './api.dto';

/** How far back discovery looks in the cold tier (the hot tier holds the last hour). */
const DISCOVERY_LOOKBACK_MS = 7 * 86_400_000;

function union(hot: Seen[], cold: Seen[]): NamedItem[] {
  const byName = new Map<string, NamedItem>();
  for (const c of cold) byName.set(c.name, { name: c.name, lastSeen: c.lastSeen, live: false });
  for (const h of hot) {
    const prev = byName.get(h.name);
    byName.set(h.name, { name: h.name, lastSeen: Math.max(h.lastSeen, prev?.lastSeen ?? 0), live: true });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Services, their metrics and the tags of a metric, from both tiers. */
@Injectable()
export class DiscoveryService {
  constructor(
    private readonly hot: HotStoreRepository,
    private readonly cold: ColdStoreRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** `only`: the services the caller's key is bound to (null = every service). */
  async services(only: readonly string[] | null = null): Promise<ServicesResponse> {
    const since = this.clock.now() - DISCOVERY_LOOKBACK_MS;
    const [hot, cold] = await Promise.all([this.hot.services(), this.cold.services(since)]);
    const all = union(hot, cold);
    return { services: only ? all.filter((s) => only.includes(s.name)) : all };
  }

  async metrics(service: string): Promise<MetricsResponse> {
    const since = this.clock.now() - DISCOVERY_LOOKBACK_MS;
    const [hot, cold] = await Promise.all([this.hot.metricsOf(service), this.cold.metricsOf(service, since)]);
    return { service, metrics: union(hot, cold) };
  }

  async tags(service: string, metric: string): Promise<TagsResponse> {
    const since = this.clock.now() - DISCOVERY_LOOKBACK_MS;
    const [hot, cold] = await Promise.all([
      this.hot.tagSets(service, metric),
      this.cold.tagSets(service, metric, since),
    ]);
    const sets = new Map<string, Record<string, string>>();
    for (const t of [...cold, ...hot]) if (Object.keys(t).length) sets.set(tagsKey(t), t);
    const keys: Record<string, Set<string>> = {};
    for (const t of sets.values()) for (const [k, v] of Object.entries(t)) (keys[k] ??= new Set()).add(v);
    const sorted: Record<string, string[]> = {};
    for (const k of Object.keys(keys).sort()) sorted[k] = [...(keys[k] as Set<string>)].sort();
    return { service, metric, keys: sorted, tagSets: sets.size };
  }
}
