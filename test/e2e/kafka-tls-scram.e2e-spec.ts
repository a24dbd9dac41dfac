import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, infraShape } from '@streammetrics/config';
import { createKafka, kafkaSecurity, type KafkaSecurity } from '@streammetrics/kafka';
import { freePort, uniqueName } from '@streammetrics/testing';
import { STACK_DIR } from '../../scripts/stack/stack.paths';
import { ThrowawayBroker } from './support-gateway/throwaway-broker';
import { TestKeys, post } from './support-gateway/api-keys';
import { startGateway, type RunningGateway } from './support-gateway/gateway.process';
import { makeTestCertificates, type TestCertificates } from './support-kafka/test-certificates';

const USER = 'streammetrics-app';
const PASSWORD = 'scram-test-password';
const PLAIN_USER = 'plain-app';
const PLAIN_PASSWORD = 'plain-test-password';

/**
 * A broker of its own with a SASL_SSL listener (TLS with a test CA; SCRAM-SHA-256/512 users made at
 * storage format, a PLAIN user in the JAAS config): the project's Kafka clients reach it by
 * configuration alone — the same variables a deployment sets.
 */
describe('Kafka over TLS with SASL', () => {
  let broker: ThrowawayBroker;
  let certs: TestCertificates;
  let securePort: number;
  let dir: string;
  let gateway: RunningGateway | undefined;
  const keys = new TestKeys();

  const env = (over: Record<string, string> = {}) => ({
    KAFKA_BROKERS: `127.0.0.1:${securePort}`,
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: certs.caFile,
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: USER,
    KAFKA_SASL_PASSWORD: PASSWORD,
    ...over,
  });
  const securityOf = (over: Record<string, string> = {}): KafkaSecurity =>
    kafkaSecurity(loadConfig(infraShape, env(over)));
  const describeCluster = async (security: KafkaSecurity) => {
    const admin = createKafka({
      brokers: [`127.0.0.1:${securePort}`],
      clientId: 'tls-test',
      retries: 0,
      connectionTimeoutMs: 5000,
      security,
    }).admin();
    try {
      await admin.connect();
      return (await admin.describeCluster()).brokers.length;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };

  beforeAll(async () => {
    const [port, controllerPort] = [await freePort(), await freePort()];
    securePort = await freePort();
    dir = join(STACK_DIR, uniqueName('tls-broker'));
    certs = makeTestCertificates(join(dir, 'certs'));
    const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
    broker = new ThrowawayBroker(port, controllerPort, join(dir, 'broker').slice(STACK_DIR.length + 1), {
      name: 'SASL_SSL',
      port: securePort,
      protocol: 'SASL_SSL',
      props: {
        'sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512,PLAIN',
        'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config': scram,
        'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': scram,
        'listener.name.sasl_ssl.plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required user_${PLAIN_USER}="${PLAIN_PASSWORD}";`,
        'ssl.keystore.type': 'PKCS12',
        'ssl.keystore.location': certs.keystoreFile,
        'ssl.keystore.password': certs.keystorePassword,
        'ssl.key.password': certs.keystorePassword,
      },
      formatArgs: [
        '--add-scram',
        `SCRAM-SHA-256=[name=${USER},password=${PASSWORD}]`,
        '--add-scram',
        `SCRAM-SHA-512=[name=${USER},password=${PASSWORD}]`,
      ],
    });
    broker.reset();
    await broker.start();
  });

  afterAll(async () => {
    await gateway?.stop();
    await keys.close();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects with SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN over TLS', async () => {
    expect(await describeCluster(securityOf({ KAFKA_SASL_MECHANISM: 'scram-sha-256' }))).toBe(1);
    expect(await describeCluster(securityOf())).toBe(1);
    expect(
      await describeCluster(
        securityOf({
          KAFKA_SASL_MECHANISM: 'plain',
          KAFKA_SASL_USERNAME: PLAIN_USER,
          KAFKA_SASL_PASSWORD: PLAIN_PASSWORD,
        }),
      ),
    ).toBe(1);
  });

  it('is refused with a wrong password, without SASL, or without trusting the CA', async () => {
    await expect(describeCluster(securityOf({ KAFKA_SASL_PASSWORD: 'wrong-password' }))).rejects.toThrow(
      /SASL|authentication/i,
    );
    await expect(describeCluster({ ssl: { ca: [readFileSync(certs.caFile, 'utf8')] } })).rejects.toThrow();
    await expect(describeCluster({ ssl: true, sasl: securityOf().sasl })).rejects.toThrow(/certificate/i);
  });

  it('runs the gateway against it by configuration only: an event posted is read back over TLS', async () => {
    const prefix = `${uniqueName('tls')}.`;
    const { key } = await keys.create(['ingest']);
    gateway = await startGateway({ ...env(), TOPIC_PREFIX: prefix }, { waitReady: true });
    const serviceId = uniqueName('tls-svc');
    const res = await post(`${gateway.url}/api/v1/events`, key, {
      timestamp: Date.now(),
      serviceId,
      metricName: 'tls.check',
      value: 1,
    });
    expect(res.status).toBe(200);
    const consumer = createKafka({
      brokers: [`127.0.0.1:${securePort}`],
      clientId: 'tls-read',
      security: securityOf(),
    }).consumer({
      groupId: uniqueName('tls-group'),
    });
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}metrics-events`, fromBeginning: true });
    const seen = await new Promise<string>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) });
    });
    await consumer.disconnect();
    expect(JSON.parse(seen)).toMatchObject({ serviceId, metricName: 'tls.check', value: 1 });
  });
});
