/**
 * The deployment artifacts (k8s/, docker/) are configuration nobody runs in CI, so this spec holds
 * them to the code they deploy: the topic table of libs/contracts, the apps of nest-cli.json, the
 * ports of scripts/deploy/app-ports.ts, the processor's own config schema, and each other.
 * Pure: it reads files, no cluster and no Docker engine.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { INFRA_DEFAULTS } from '@streammetrics/config';
import { CHANGELOG_TOPIC, EVENTS_TOPIC, topicSpecs } from '@streammetrics/contracts';
import { loadSinkConfig } from '../../apps/aggregate-sink/src/aggregate-sink.config';
import { loadAlertingConfig } from '../../apps/alerting/src/alerting.config';
import { loadIngestGatewayConfig } from '../../apps/ingest-gateway/src/ingest-gateway.config';
import { loadQueryApiConfig } from '../../apps/query-api/src/query-api.config';
import { loadProcessorConfig } from '../../apps/stream-processor/src/processor.config';
import { APP_NAMES, APP_PORTS, type AppName } from './app-ports';
import { healthUrl } from './healthcheck';
import { renderKustomization, type K8sObject } from './kustomize.render';
import { referenceProblems, strimziSecrets } from './manifest.refs';
import { deploymentSecrets } from './secrets';

const ROOT = join(__dirname, '..', '..');
const K8S = join(ROOT, 'k8s');
const read = (...p: string[]) => readFileSync(join(ROOT, ...p), 'utf8');

// Only the fields this spec reads; everything else in a manifest is the API server's business.
interface Meta {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: Meta;
}
interface Probe {
  httpGet?: { path: string; port: string | number };
  exec?: { command: string[] };
  tcpSocket?: { port: string | number };
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    configMapKeyRef?: { name: string; key: string };
  };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface PodTemplate {
  metadata?: Meta;
  spec: {
    containers: Container[];
    initContainers?: Container[];
    terminationGracePeriodSeconds?: number;
    restartPolicy?: string;
    securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  };
}
interface Workload extends Manifest {
  spec: { replicas?: number; selector?: { matchLabels: Record<string, string> }; template: PodTemplate };
}
interface KafkaTopic extends Manifest {
  spec: { topicName: string; partitions: number; replicas: number; config: Record<string, string | number> };
}
interface KafkaCluster extends Manifest {
  spec: {
    kafka: {
      version: string;
      listeners: { name: string; port: number; tls: boolean; authentication?: { type: string } }[];
      authorization?: { type: string };
      config: Record<string, string | number | boolean>;
    };
    entityOperator?: { topicOperator?: object };
  };
}
interface NodePool extends Manifest {
  spec: { replicas: number; roles: string[] };
}
interface ScaledObject extends Manifest {
  spec: {
    scaleTargetRef: { name: string };
    minReplicaCount: number;
    maxReplicaCount: number;
    fallback?: { replicas: number };
    triggers: { type: string; metadata: Record<string, string> }[];
  };
}
interface Hpa extends Manifest {
  spec: {
    scaleTargetRef: { kind: string; name: string };
    minReplicas: number;
    maxReplicas: number;
    metrics: { type: string; resource?: { name: string } }[];
  };
}
interface Pdb extends Manifest {
  spec: { minAvailable?: number; maxUnavailable?: number; selector: { matchLabels: Record<string, string> } };
}
interface Service extends Manifest {
  spec: { selector: Record<string, string>; ports: { port: number; targetPort: string | number }[] };
}
interface Ingress extends Manifest {
  spec: {
    rules: {
      host: string;
      http: { paths: { backend: { service: { name: string; port: { number: number } } } }[] };
    }[];
  };
}
interface ConfigMap extends Manifest {
  data: Record<string, string>;
}
interface Kustomization {
  namespace: string;
  resources: string[];
  images: { name: string; newTag?: string; digest?: string }[];
}
interface ComposeService {
  image?: string;
  command?: string[];
  profiles?: string[];
  ports?: string[];
  environment?: Record<string, string>;
}

const kustomization = parse(read('k8s', 'kustomization.yaml')) as Kustomization;
const manifests = renderKustomization(K8S) as unknown as Manifest[];
const ofKind = <T extends Manifest>(kind: string) => manifests.filter((m): m is T => m.kind === kind);
const named = <T extends Manifest>(kind: string, name: string): T => {
  const found = ofKind<T>(kind).find((m) => m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in k8s/`);
  return found;
};
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

// What `npm run k8s:secrets` creates, with a fixed password so the URLs can be compared.
const secrets = new Map(deploymentSecrets(() => 'pw').map((s) => [s.metadata.name, s.stringData]));

/** The environment a container sees, resolved from its ConfigMaps, generated Secrets and literals. */
function containerEnv(c: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef) Object.assign(env, named<ConfigMap>('ConfigMap', from.configMapRef.name).data);
    if (from.secretRef) Object.assign(env, secrets.get(from.secretRef.name));
  }
  for (const v of c.env ?? []) {
    const secretRef = v.valueFrom?.secretKeyRef;
    const configRef = v.valueFrom?.configMapKeyRef;
    if (v.value !== undefined) env[v.name] = v.value;
    else if (secretRef) env[v.name] = secrets.get(secretRef.name)?.[secretRef.key] as string;
    else if (configRef) env[v.name] = named<ConfigMap>('ConfigMap', configRef.name).data[configRef.key]!;
  }
  return env;
}

function quantity(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi)?$/.exec(q);
  if (!m) throw new Error(`unparsable quantity ${q}`);
  const unit = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * unit;
}

const nest = JSON.parse(read('nest-cli.json')) as {
  projects: Record<string, { type: string; root: string; entryFile: string }>;
};
const appDeployment = (app: AppName) => named<Workload>('Deployment', app);
const appContainer = (app: AppName) => appDeployment(app).spec.template.spec.containers[0]!;
const hpaFor = (name: string) =>
  ofKind<Hpa>('HorizontalPodAutoscaler').find((h) => h.spec.scaleTargetRef.name === name);
const topicCr = (name: string) => {
  const t = ofKind<KafkaTopic>('KafkaTopic').find((k) => k.spec.topicName === name);
  if (!t) throw new Error(`no KafkaTopic for ${name}`);
  return t;
};

describe('k8s/kustomization.yaml', () => {
  it('lists files that exist and parse, deploying into the streammetrics namespace', () => {
    for (const file of kustomization.resources) expect(existsSync(join(K8S, file))).toBe(true);
    expect(kustomization.namespace).toBe('streammetrics');
    expect(named('Namespace', 'streammetrics')).toBeDefined();
    expect(manifests.every((m) => m.apiVersion && m.kind && m.metadata.name)).toBe(true);
  });

  it('has no two resources of the same kind and name', () => {
    const ids = manifests.map((m) => `${m.kind}/${m.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('resolves every reference between the objects: Secret keys, ConfigMaps, ports, targets', () => {
    const generated = deploymentSecrets(() => 'pw') as unknown as K8sObject[];
    const objects = [...(manifests as unknown as K8sObject[]), ...generated];
    const external = new Map([
      ...strimziSecrets(objects),
      ['streammetrics-tls', new Set(['tls.crt', 'tls.key'])],
    ]);
    expect(referenceProblems(objects, external)).toEqual([]);
    // The same check with one key gone from a generated Secret: the app would never start.
    const broken = generated.map((g) =>
      g.metadata.name === 'streammetrics-query-api' ? { ...g, stringData: { DATABASE_URL: 'x' } } : g,
    );
    expect(referenceProblems([...(manifests as unknown as K8sObject[]), ...broken], external)).toContain(
      'Deployment/query-api/query-api env REDIS_URL: Secret streammetrics-query-api has no key REDIS_URL',
    );
  });

  it('gives the apps a DATABASE_URL and REDIS_URL that the in-cluster stores accept', () => {
    const pg = named<Workload>('StatefulSet', 'postgres').spec.template.spec.containers[0]!;
    const pgEnv: Record<string, string | undefined> = {
      ...containerEnv(pg),
      POSTGRES_PASSWORD: secrets.get('streammetrics-postgres')?.POSTGRES_PASSWORD,
    };
    const redisPassword = secrets.get('streammetrics-redis')?.REDIS_PASSWORD;
    for (const app of APP_NAMES) {
      const env = containerEnv(appContainer(app));
      if (env.DATABASE_URL !== undefined) {
        const url = new URL(env.DATABASE_URL ?? '');
        expect(url.hostname).toBe(named<Service>('Service', 'postgres').metadata.name);
        expect(decodeURIComponent(url.username)).toBe(pgEnv.POSTGRES_USER);
        expect(decodeURIComponent(url.password)).toBe(pgEnv.POSTGRES_PASSWORD);
        expect(url.pathname).toBe(`/${pgEnv.POSTGRES_DB}`);
      }
      if (env.REDIS_URL !== undefined) {
        const url = new URL(env.REDIS_URL ?? '');
        expect(url.hostname).toBe(named<Service>('Service', 'redis').metadata.name);
        expect(decodeURIComponent(url.password)).toBe(redisPassword);
      }
    }
  });

  it('gives each app only its own Secrets (the processor uses neither PostgreSQL nor Redis)', () => {
    const processor = containerEnv(appContainer('stream-processor'));
    expect(processor.DATABASE_URL).toBeUndefined();
    expect(processor.REDIS_URL).toBeUndefined();
    for (const d of ofKind<Workload>('Deployment').filter(
      (w) => w.metadata.labels?.['app.kubernetes.io/component'] === 'app',
    )) {
      const app = d.metadata.name;
      const refs = d.spec.template.spec.containers
        .concat(d.spec.template.spec.initContainers ?? [])
        .flatMap((c) => (c.env ?? []).map((v) => v.valueFrom?.secretKeyRef?.name))
        .filter((n): n is string => n !== undefined);
      for (const ref of refs)
        expect({ app, ref }).toEqual({
          app,
          ref: expect.stringMatching(new RegExp(`^(streammetrics-)?${app}$`)),
        });
    }
  });

  it('leaves no Secret in k8s/: they are generated', () => {
    expect(ofKind('Secret')).toEqual([]);
    expect(existsSync(join(K8S, 'secrets.env'))).toBe(false);
    const pw = deploymentSecrets().map((s) => JSON.stringify(s));
    expect(pw).not.toEqual(deploymentSecrets().map((s) => JSON.stringify(s)));
  });

  it('runs every image of the project under one name, pinned by kustomize to a release', () => {
    const pin = kustomization.images[0]!;
    const images = new Set(
      [...ofKind<Workload>('Deployment'), ...ofKind<Workload>('StatefulSet')]
        .filter((w) => w.metadata.labels?.['app.kubernetes.io/component'] === 'app')
        .flatMap((w) => [...w.spec.template.spec.containers, ...(w.spec.template.spec.initContainers ?? [])])
        .map((c) => c.image),
    );
    expect(pin.newTag ?? pin.digest).toMatch(/^(\d+\.\d+\.\d+|sha256:[0-9a-f]{64})$/);
    expect([...images]).toHaveLength(1);
    for (const w of [...ofKind<Workload>('Deployment'), ...ofKind<Workload>('StatefulSet')])
      for (const c of w.spec.template.spec.containers)
        expect(c.image).toMatch(/:\d+\.\d+(\.\d+)?(-[a-z]+)?$/);
  });
});

describe('k8s app Deployments', () => {
  it('exist for exactly the applications of nest-cli.json, running their compiled entry file', () => {
    const apps = Object.entries(nest.projects).filter(([, p]) => p.type === 'application');
    expect(apps.map(([name]) => name).sort()).toEqual([...APP_NAMES].sort());
    for (const [name, p] of apps) {
      expect(appContainer(name as AppName).command).toEqual(['node', `dist/${p.root}/src/${p.entryFile}.js`]);
    }
  });

  it.each(APP_NAMES)('%s: probes on the health endpoints of its port, scraped on /metrics', (app) => {
    const d = appDeployment(app);
    const c = appContainer(app);
    const port = c.ports?.find((p) => p.name === 'http');
    expect(port?.containerPort).toBe(APP_PORTS[app]);
    expect(c.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(c.startupProbe?.httpGet?.path).toBe('/health/live');
    expect(d.spec.template.metadata?.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(APP_PORTS[app]),
      'prometheus.io/path': '/metrics',
    });
    expect(d.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(d.spec.template.spec.securityContext?.runAsUser).toBeGreaterThan(0);
  });

  it.each(APP_NAMES)('%s: sets its port variable, when it has one, to the container port', (app) => {
    for (const [name, value] of Object.entries(containerEnv(appContainer(app)))) {
      if (/_PORT$/.test(name)) expect({ name, value }).toEqual({ name, value: String(APP_PORTS[app]) });
    }
  });

  it('every container of every workload has CPU and memory requests and limits, request <= limit', () => {
    const workloads = [
      ...ofKind<Workload>('Deployment'),
      ...ofKind<Workload>('StatefulSet'),
      ...ofKind<Workload>('Job'),
    ];
    expect(workloads.length).toBeGreaterThanOrEqual(APP_NAMES.length + 2);
    for (const w of workloads) {
      for (const c of w.spec.template.spec.containers) {
        const { requests = {}, limits = {} } = c.resources ?? {};
        for (const r of ['cpu', 'memory']) {
          expect({ c: `${w.metadata.name}/${r}`, set: Boolean(requests[r] && limits[r]) }).toEqual({
            c: `${w.metadata.name}/${r}`,
            set: true,
          });
          expect(quantity(requests[r]!)).toBeLessThanOrEqual(quantity(limits[r]!));
        }
      }
    }
  });

  it('the processor env passes its own config schema, with a grace period beyond the session timeout', () => {
    const d = appDeployment('stream-processor');
    const cfg = loadProcessorConfig(containerEnv(appContainer('stream-processor')));
    expect(cfg.TOPIC_PREFIX).toBe('');
    expect(cfg.PROCESSOR_HTTP_PORT).toBe(APP_PORTS['stream-processor']);
    // SIGTERM finishes or aborts the open transaction (bounded by its timeout) and leaves the group.
    expect((d.spec.template.spec.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(
      cfg.SESSION_TIMEOUT_MS,
    );
    expect(cfg.TRANSACTION_TIMEOUT_MS).toBeLessThan(cfg.SESSION_TIMEOUT_MS);
  });

  it.each([
    ['ingest-gateway', loadIngestGatewayConfig],
    ['stream-processor', loadProcessorConfig],
    ['aggregate-sink', loadSinkConfig],
    ['query-api', loadQueryApiConfig],
    ['alerting', loadAlertingConfig],
  ] as const)('%s: its deployed env passes its own config schema in production', (app, load) => {
    // The Kafka password lives in the Secret Strimzi's User Operator makes; stand in for it.
    const env: Record<string, string> = {
      ...containerEnv(appContainer(app)),
      KAFKA_SASL_PASSWORD: 'pw',
      KAFKA_SSL_CA_FILE: '/dev/null',
    };
    expect(env.NODE_ENV).toBe('production');
    expect(() => load(env)).not.toThrow();
  });

  it('connects every Kafka client to the TLS + SCRAM-SHA-512 listener as its own KafkaUser', () => {
    const kafka = ofKind<KafkaCluster>('Kafka')[0]!;
    expect(kafka.spec.kafka.listeners).toHaveLength(1);
    const listener = kafka.spec.kafka.listeners[0]!;
    expect(listener).toMatchObject({ tls: true, authentication: { type: 'scram-sha-512' } });
    expect(kafka.spec.kafka.authorization).toEqual({ type: 'simple' });
    const users = new Set(ofKind('KafkaUser').map((u) => u.metadata.name));
    for (const app of APP_NAMES) {
      const env = containerEnv(appContainer(app));
      expect(env.TOPIC_PREFIX).toBe('');
      expect(env.KAFKA_BROKERS).toBe(`${kafka.metadata.name}-kafka-bootstrap:${listener.port}`);
      expect(env).toMatchObject({ KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512' });
      expect(Number(env.KAFKA_REPLICATION_FACTOR)).toBe(
        kafka.spec.kafka.config['default.replication.factor']!,
      );
      if (app === 'query-api') continue; // no Kafka client
      expect(users.has(env.KAFKA_SASL_USERNAME ?? '')).toBe(true);
      expect(appDeployment(app).spec.template.metadata?.labels?.['streammetrics.io/kafka-client']).toBe(
        'true',
      );
      const mounts = (appContainer(app) as unknown as { volumeMounts: { mountPath: string }[] }).volumeMounts;
      expect(mounts.map((m) => `${m.mountPath}/ca.crt`)).toContain(env.KAFKA_SSL_CA_FILE);
    }
  });

  it("runs the migrations before every app that uses PostgreSQL, with that app's database URL", () => {
    expect(ofKind('Job')).toEqual([]);
    for (const app of APP_NAMES) {
      const d = appDeployment(app);
      const env = containerEnv(appContainer(app));
      const init = d.spec.template.spec.initContainers ?? [];
      if (env.DATABASE_URL === undefined) {
        expect(init).toEqual([]);
        continue;
      }
      expect(init.map((c) => c.command)).toEqual([['node', 'dist/scripts/migrate.js']]);
      expect(containerEnv(init[0]!).DATABASE_URL).toBe(env.DATABASE_URL);
    }
  });
});

describe('k8s scaling and availability', () => {
  it('autoscales the gateway and the query API on CPU', () => {
    for (const app of ['ingest-gateway', 'query-api']) {
      const hpa = hpaFor(app);
      expect(hpa?.spec.metrics).toContainEqual(
        expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) }),
      );
    }
  });

  it('scales processor and sink on consumer lag (KEDA), never beyond their partitions', () => {
    const scaled = ofKind<ScaledObject>('ScaledObject');
    expect(scaled.map((o) => o.spec.scaleTargetRef.name).sort()).toEqual([
      'aggregate-sink',
      'stream-processor',
    ]);
    const partitions = (topic: string) => topicCr(topic).spec.partitions;
    const aggregated = ofKind<KafkaTopic>('KafkaTopic').filter((t) =>
      t.spec.topicName.startsWith('metrics-aggregated-'),
    );
    const limits: Record<string, number> = {
      'stream-processor': Math.min(
        partitions(EVENTS_TOPIC),
        topicSpecs().find((t) => t.topic === EVENTS_TOPIC)?.partitions ?? 0,
      ),
      'aggregate-sink': aggregated.reduce((n, t) => n + t.spec.partitions, 0),
    };
    for (const o of scaled) {
      const target = o.spec.scaleTargetRef.name;
      expect(o.spec.maxReplicaCount).toBeLessThanOrEqual(limits[target]!);
      expect(o.spec.triggers.map((t) => t.type)).toEqual(['kafka', 'cpu']);
      expect(o.spec.triggers[0]!.metadata).toMatchObject({
        allowIdleConsumers: 'false',
        sasl: 'scram_sha512',
        tls: 'enable',
      });
      expect(o.spec.fallback?.replicas).toBeGreaterThanOrEqual(o.spec.minReplicaCount);
      expect(appDeployment(target as AppName).spec.replicas).toBeUndefined();
      expect(hpaFor(target)).toBeUndefined();
    }
  });

  it('points every autoscaler at a Deployment that leaves `replicas` to it', () => {
    for (const hpa of ofKind<Hpa>('HorizontalPodAutoscaler')) {
      const d = named<Workload>(hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name);
      expect({ d: d.metadata.name, replicas: d.spec.replicas }).toEqual({
        d: d.metadata.name,
        replicas: undefined,
      });
      expect(hpa.spec.minReplicas).toBeLessThanOrEqual(hpa.spec.maxReplicas);
    }
  });

  it('has one PodDisruptionBudget per app that selects it and never blocks a drain', () => {
    for (const app of APP_NAMES) {
      const d = appDeployment(app);
      const pdbs = ofKind<Pdb>('PodDisruptionBudget').filter((p) =>
        matches(p.spec.selector.matchLabels, d.spec.template.metadata?.labels),
      );
      expect(pdbs).toHaveLength(1);
      const replicas = hpaFor(app)?.spec.minReplicas ?? d.spec.replicas ?? 1;
      // A budget that allows zero disruptions at the minimum replica count would stall node drains.
      if (pdbs[0]!.spec.minAvailable !== undefined) expect(pdbs[0]!.spec.minAvailable).toBeLessThan(replicas);
      else expect(pdbs[0]!.spec.maxUnavailable).toBeGreaterThanOrEqual(1);
    }
  });

  it('exposes the gateway on 8080 and the query API on 3000 through Services and the Ingress', () => {
    for (const app of ['ingest-gateway', 'query-api'] as const) {
      const svc = named<Service>('Service', app);
      const d = appDeployment(app);
      expect(matches(svc.spec.selector, d.spec.template.metadata?.labels)).toBe(true);
      expect(svc.spec.ports[0]!.port).toBe(APP_PORTS[app]);
      const target = svc.spec.ports[0]!.targetPort;
      expect(appContainer(app).ports?.some((p) => p.name === target || p.containerPort === target)).toBe(
        true,
      );
    }
    const backends = ofKind<Ingress>('Ingress').flatMap((i) =>
      i.spec.rules.flatMap((r) => r.http.paths.map((p) => p.backend.service)),
    );
    expect([...new Set(backends.map((b) => b.name))].sort()).toEqual(['ingest-gateway', 'query-api']);
    for (const b of backends) {
      expect(named<Service>('Service', b.name).spec.ports.map((p) => p.port)).toContain(b.port.number);
    }
  });
});

describe('k8s Kafka (Strimzi)', () => {
  const kafka = ofKind<KafkaCluster>('Kafka');
  const pools = ofKind<NodePool>('KafkaNodePool');

  it('is one KRaft cluster of three nodes that are brokers and controllers', () => {
    expect(kafka).toHaveLength(1);
    expect(kafka[0]!.metadata.annotations).toMatchObject({
      'strimzi.io/kraft': 'enabled',
      'strimzi.io/node-pools': 'enabled',
    });
    const brokers = pools.filter(
      (p) => p.metadata.labels?.['strimzi.io/cluster'] === kafka[0]!.metadata.name,
    );
    expect(brokers.flatMap((p) => p.spec.roles).sort()).toEqual(['broker', 'controller']);
    expect(brokers.reduce((n, p) => n + p.spec.replicas, 0)).toBe(3);
    expect(kafka[0]!.spec.entityOperator?.topicOperator).toBeDefined();
  });

  it('replicates data and transaction state 3 ways, acknowledged by 2, with no auto-created topics', () => {
    expect(kafka[0]!.spec.kafka.config).toMatchObject({
      'auto.create.topics.enable': false,
      'default.replication.factor': 3,
      'min.insync.replicas': 2,
      'offsets.topic.replication.factor': 3,
      'transaction.state.log.replication.factor': 3,
      'transaction.state.log.min.isr': 2,
    });
  });

  it('runs the same Kafka version as docker/compose.yml', () => {
    const compose = parse(read('docker', 'compose.yml'), { merge: true }) as {
      services: Record<string, ComposeService>;
    };
    expect(compose.services.kafka!.image).toBe(`apache/kafka:${kafka[0]!.spec.kafka.version}`);
  });

  it('has a KafkaTopic for exactly the topics of libs/contracts, as configured there', () => {
    const crs = ofKind<KafkaTopic>('KafkaTopic');
    const local = topicSpecs('');
    expect(crs.map((t) => t.spec.topicName).sort()).toEqual(local.map((t) => t.topic).sort());
    for (const spec of local) {
      const cr = topicCr(spec.topic);
      const row = { topic: spec.topic };
      expect({ ...row, cluster: cr.metadata.labels?.['strimzi.io/cluster'] }).toEqual({
        ...row,
        cluster: kafka[0]!.metadata.name,
      });
      expect(cr.spec.partitions).toBeGreaterThanOrEqual(spec.partitions);
      expect(cr.spec.replicas).toBe(3);
      expect(Number(cr.spec.config['min.insync.replicas'])).toBe(2);
      expect({ ...row, cleanup: cr.spec.config['cleanup.policy'] }).toEqual({
        ...row,
        cleanup: spec.config['cleanup.policy'],
      });
      const retention = cr.spec.config['retention.ms'];
      expect({ ...row, retention: retention === undefined ? undefined : String(retention) }).toEqual({
        ...row,
        retention: spec.config['retention.ms'],
      });
    }
  });

  it('keeps the changelog partitioned like the input (partition p holds the state of partition p)', () => {
    expect(topicCr(CHANGELOG_TOPIC).spec.partitions).toBe(topicCr(EVENTS_TOPIC).spec.partitions);
    expect(topicCr(CHANGELOG_TOPIC).spec.config['cleanup.policy']).toBe('compact');
  });
});

describe('docker/compose.yml', () => {
  const compose = parse(read('docker', 'compose.yml'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  const svc = (name: string) => {
    const s = compose.services[name];
    if (!s) throw new Error(`no service ${name} in docker/compose.yml`);
    return s;
  };
  const published = (s: ComposeService) => (s.ports ?? []).map((p) => String(p));

  it('runs single-node KRaft Kafka with transaction state RF 1 / min ISR 1 and no auto-created topics', () => {
    expect(svc('kafka').environment).toMatchObject({
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    });
  });

  it('publishes the stack where the apps look by default (libs/config INFRA_DEFAULTS)', () => {
    const kafkaHostPort = INFRA_DEFAULTS.KAFKA_BROKERS.split(',')[0]!;
    const [kHost, kPort] = kafkaHostPort.split(':');
    expect(published(svc('kafka'))).toContain(`${kHost}:${kPort}:${kPort}`);
    expect(svc('kafka').environment?.KAFKA_ADVERTISED_LISTENERS).toContain(`://${kafkaHostPort}`);
    const pg = new URL(INFRA_DEFAULTS.DATABASE_URL);
    expect(published(svc('postgres'))).toContain(`${pg.hostname}:${pg.port}:5432`);
    expect(svc('postgres').image).toMatch(/^postgres:15\b/);
    const redis = new URL(INFRA_DEFAULTS.REDIS_URL);
    expect(published(svc('redis'))).toContain(`${redis.hostname}:${redis.port}:6379`);
    expect(svc('redis').image).toMatch(/^redis:7\b/);
  });

  it.each(APP_NAMES)('%s: in the apps profile, on its port, pointed at the compose stack', (app) => {
    const s = svc(app);
    expect(s.profiles).toContain('apps');
    expect(s.command).toEqual(['node', `dist/apps/${app}/src/main.js`]);
    expect(published(s)).toContain(`127.0.0.1:${APP_PORTS[app]}:${APP_PORTS[app]}`);
    const env = s.environment ?? {};
    expect(svc('kafka').environment?.KAFKA_ADVERTISED_LISTENERS).toContain(`://${env.KAFKA_BROKERS}`);
    expect(new URL(env.DATABASE_URL ?? '').hostname).toBe('postgres');
    expect(new URL(env.REDIS_URL ?? '').hostname).toBe('redis');
    expect(env.APP).toBe(app);
  });

  it('runs the simulator in its own profile and provisions topics with a script that exists', () => {
    expect(svc('simulator').profiles).toEqual(['simulator']);
    expect(svc('simulator').command?.slice(0, 2)).toEqual(['node', 'dist/scripts/simulate.js']);
    const init = (svc('init').command ?? []).join(' ');
    for (const [, script] of init.matchAll(/dist\/(scripts\/deploy\/[\w-]+)\.js/g)) {
      expect(existsSync(join(ROOT, `${script}.ts`))).toBe(true);
    }
    expect(init).toContain('dist/scripts/migrate.js');
  });
});

describe('docker/Dockerfile', () => {
  const dockerfile = read('docker', 'Dockerfile');

  it('builds on the Node.js of .nvmrc with npm ci (patches first), tsc, the dashboard, and prunes', () => {
    const node = read('.nvmrc').trim();
    expect(dockerfile).toContain(`ARG NODE_IMAGE=node:${node}-bookworm-slim`);
    // npm ci's postinstall applies the kafkajs patches: they must be in the image before it.
    expect(dockerfile.indexOf('COPY scripts/patches')).toBeLessThan(dockerfile.indexOf('RUN npm ci'));
    for (const step of ['npm ci', 'npm run build', 'npm run build:dashboard', 'npm prune --omit=dev']) {
      expect(dockerfile).toContain(step);
    }
  });

  it('ships the SQL migrations and the dashboard where the compiled code looks for them', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.build).toContain('cp -r libs/storage/src/migrations dist/libs/storage/src/');
    // DASHBOARD_WEB_DIR defaults to <compiled query-api.config.js>/../dashboard/web.
    expect(dockerfile).toContain(
      'cp -r apps/query-api/dashboard/web/dist dist/apps/query-api/dashboard/web/dist',
    );
    expect(dockerfile).toMatch(/DASHBOARD_BUILD_ON_START=false/);
  });

  it('runs as a numeric non-root user, with a health check that exists', () => {
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(dockerfile).toMatch(
      /^HEALTHCHECK .*\n\s+CMD \["node", "dist\/scripts\/deploy\/healthcheck\.js"\]/m,
    );
    expect(existsSync(join(ROOT, 'scripts/deploy/healthcheck.ts'))).toBe(true);
  });

  it('health-checks each app on its own port', () => {
    for (const app of APP_NAMES) {
      expect(healthUrl({ APP: app })).toBe(`http://127.0.0.1:${APP_PORTS[app]}/health/live`);
    }
    expect(healthUrl({ APP: 'query-api', HEALTHCHECK_PORT: '3100' })).toBe(
      'http://127.0.0.1:3100/health/live',
    );
    expect(() => healthUrl({ APP: 'nope' })).toThrow(/set APP/);
  });
});
