/**
 * What a schema cannot see: the references between rendered objects. A Secret key, a ConfigMap, a
 * port name, a Service behind an Ingress, an autoscaler's target, a pinned image — each must
 * resolve, or the platform fails only once applied (a pod stuck in CreateContainerConfigError, a
 * probe that never answers, a 503 at the ingress). Pure: objects in, problems out.
 */
import { podContainers, type K8sObject, type PodContainer } from './kustomize.render';

/** Secrets that exist at run time without being in k8s/: name -> keys. */
export type SecretKeys = Map<string, Set<string>>;

interface Port {
  name?: string;
  containerPort: number;
}
interface EnvVar {
  name: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    configMapKeyRef?: { name: string; key: string };
  };
}
interface Volume {
  name: string;
  secret?: { secretName: string; items?: { key: string }[] };
  configMap?: { name: string };
}
interface Probe {
  httpGet?: { port: string | number };
  tcpSocket?: { port: string | number };
}
type Labels = Record<string, string>;

const get = <T>(o: unknown, ...path: string[]): T | undefined =>
  path.reduce<unknown>(
    (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
    o,
  ) as T | undefined;
const selects = (selector: Labels | undefined, labels: Labels | undefined) =>
  selector !== undefined &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** Secrets Strimzi makes: one per KafkaUser (its SCRAM password) and the cluster CA's. */
export function strimziSecrets(objects: K8sObject[]): SecretKeys {
  const keys: SecretKeys = new Map();
  for (const o of objects) {
    if (o.kind === 'KafkaUser') keys.set(o.metadata.name, new Set(['password', 'sasl.jaas.config']));
    if (o.kind === 'Kafka')
      keys.set(`${o.metadata.name}-cluster-ca-cert`, new Set(['ca.crt', 'ca.p12', 'ca.password']));
  }
  return keys;
}

export function referenceProblems(objects: K8sObject[], external: SecretKeys): string[] {
  const problems: string[] = [];
  const secrets: SecretKeys = new Map(external);
  for (const o of objects.filter((x) => x.kind === 'Secret')) {
    const data = { ...get<Labels>(o, 'data'), ...get<Labels>(o, 'stringData') };
    secrets.set(o.metadata.name, new Set(Object.keys(data)));
  }
  const configMaps = new Map(
    objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, get<Labels>(o, 'data') ?? {}]),
  );
  const named = (kind: string, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name === name);
  const needSecret = (where: string, name: string, key?: string) => {
    const keys = secrets.get(name);
    if (!keys) problems.push(`${where}: Secret ${name} does not exist`);
    else if (key !== undefined && !keys.has(key)) problems.push(`${where}: Secret ${name} has no key ${key}`);
  };
  const workloads = objects.filter((o) => podContainers(o).length > 0);
  const pods = workloads.map((w) => ({
    w,
    labels: get<Labels>(w, 'spec', 'template', 'metadata', 'labels'),
    ports: podContainers(w).flatMap((c) => (c.ports as Port[] | undefined) ?? []),
  }));

  for (const w of workloads) {
    const id = `${w.kind}/${w.metadata.name}`;
    for (const c of podContainers(w)) checkContainer(`${id}/${c.name}`, c);
    for (const v of get<Volume[]>(w, 'spec', 'template', 'spec', 'volumes') ?? []) {
      if (v.secret) {
        const items = v.secret.items ?? [];
        if (items.length === 0) needSecret(`${id} volume ${v.name}`, v.secret.secretName);
        for (const item of items) needSecret(`${id} volume ${v.name}`, v.secret.secretName, item.key);
      }
      if (v.configMap && !configMaps.has(v.configMap.name))
        problems.push(`${id} volume ${v.name}: ConfigMap ${v.configMap.name} does not exist`);
    }
    const scrape = get<string>(w, 'spec', 'template', 'metadata', 'annotations', 'prometheus.io/port');
    const own = pods.find((p) => p.w === w)?.ports ?? [];
    if (scrape !== undefined && !own.some((p) => String(p.containerPort) === scrape))
      problems.push(`${id}: prometheus.io/port ${scrape} is no container port`);
  }

  function checkContainer(where: string, c: PodContainer) {
    const ports = (c.ports as Port[] | undefined) ?? [];
    for (const v of (c.env as EnvVar[] | undefined) ?? []) {
      const s = v.valueFrom?.secretKeyRef;
      if (s) needSecret(`${where} env ${v.name}`, s.name, s.key);
      const m = v.valueFrom?.configMapKeyRef;
      if (m && configMaps.get(m.name)?.[m.key] === undefined)
        problems.push(`${where} env ${v.name}: ConfigMap ${m.name} has no key ${m.key}`);
    }
    for (const from of (c.envFrom as { secretRef?: { name: string }; configMapRef?: { name: string } }[]) ??
      []) {
      if (from.secretRef) needSecret(`${where} envFrom`, from.secretRef.name);
      if (from.configMapRef && !configMaps.has(from.configMapRef.name))
        problems.push(`${where} envFrom: ConfigMap ${from.configMapRef.name} does not exist`);
    }
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      const p = c[probe] as Probe | undefined;
      const port = p?.httpGet?.port ?? p?.tcpSocket?.port;
      if (port !== undefined && !ports.some((x) => x.name === port || x.containerPort === port))
        problems.push(`${where} ${probe}: port ${port} is not a port of the container`);
    }
    if (
      !/^[^:@]+(:[\w.-]+)?(@sha256:[0-9a-f]{64})?$/.test(c.image) ||
      !/[:@]/.test(c.image) ||
      /:latest$/.test(c.image)
    )
      problems.push(`${where}: image ${c.image} is not pinned to a tag or digest`);
  }

  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    const selector = get<Labels>(svc, 'spec', 'selector');
    const backing = pods.filter((p) => selects(selector, p.labels));
    if (backing.length === 0) problems.push(`Service/${svc.metadata.name}: selects no pods`);
    for (const port of get<{ port: number; targetPort?: string | number }[]>(svc, 'spec', 'ports') ?? []) {
      const target = port.targetPort ?? port.port;
      if (
        backing.length > 0 &&
        !backing.some((p) => p.ports.some((x) => x.name === target || x.containerPort === target))
      )
        problems.push(`Service/${svc.metadata.name}: targetPort ${target} is not a port of its pods`);
    }
  }

  for (const ing of objects.filter((o) => o.kind === 'Ingress')) {
    for (const rule of get<
      {
        http?: {
          paths: { backend: { service?: { name: string; port: { number?: number; name?: string } } } }[];
        };
      }[]
    >(ing, 'spec', 'rules') ?? []) {
      for (const path of rule.http?.paths ?? []) {
        const b = path.backend.service;
        if (!b) continue;
        const svc = named('Service', b.name);
        const ports = get<{ port: number; name?: string }[]>(svc, 'spec', 'ports') ?? [];
        if (!svc) problems.push(`Ingress/${ing.metadata.name}: Service ${b.name} does not exist`);
        else if (!ports.some((p) => p.port === b.port.number || (b.port.name && p.name === b.port.name)))
          problems.push(
            `Ingress/${ing.metadata.name}: Service ${b.name} has no port ${b.port.number ?? b.port.name}`,
          );
      }
    }
  }

  for (const o of objects.filter((x) => x.kind === 'HorizontalPodAutoscaler' || x.kind === 'ScaledObject')) {
    const target = get<{ kind?: string; name: string }>(o, 'spec', 'scaleTargetRef');
    if (target && !named(target.kind ?? 'Deployment', target.name))
      problems.push(`${o.kind}/${o.metadata.name}: scale target ${target.name} does not exist`);
  }
  for (const o of objects.filter((x) => x.kind === 'TriggerAuthentication')) {
    for (const ref of get<{ parameter: string; name: string; key: string }[]>(o, 'spec', 'secretTargetRef') ??
      [])
      needSecret(`TriggerAuthentication/${o.metadata.name} ${ref.parameter}`, ref.name, ref.key);
  }
  for (const np of objects.filter((o) => o.kind === 'NetworkPolicy')) {
    const selector = get<Labels>(np, 'spec', 'podSelector', 'matchLabels');
    if (!pods.some((p) => selects(selector, p.labels)))
      problems.push(`NetworkPolicy/${np.metadata.name}: selects no pods`);
  }
  return problems;
}
