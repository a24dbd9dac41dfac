/**
 * `npm run k8s:validate [-- <dir>]`: renders k8s/ (or <dir>) with the Secrets `npm run k8s:secrets`
 * would create, validates every object against its API or CRD schema (manifest.schema.ts) and every
 * reference between them (manifest.refs.ts). Exits 1 listing each problem. Offline: no cluster.
 */
import { join } from 'node:path';
import { renderKustomization } from './kustomize.render';
import { schemaProblems } from './manifest.schema';
import { referenceProblems, strimziSecrets } from './manifest.refs';
import { deploymentSecrets } from './secrets';

async function main(): Promise<void> {
  const dir = process.argv[2] ?? join(__dirname, '..', '..', 'k8s');
  const objects = renderKustomization(dir);
  const secrets = deploymentSecrets().map((s) => ({
    ...s,
    metadata: { ...s.metadata, namespace: 'streammetrics' },
  }));
  // cert-manager writes the Ingress certificate from the annotation.
  const external = new Map([
    ...strimziSecrets(objects),
    ['streammetrics-tls', new Set(['tls.crt', 'tls.key'])],
  ]);
  const problems = [
    ...(await schemaProblems([...objects, ...secrets])),
    ...referenceProblems([...objects, ...secrets], external),
  ];
  for (const p of problems) process.stderr.write(`k8s: ${p}\n`);
  process.stdout.write(
    `k8s: ${objects.length} objects and ${secrets.length} Secrets, ${problems.length} problems\n`,
  );
  process.exit(problems.length === 0 ? 0 : 1);
}

main().catch((err: Error) => {
  process.stderr.write(`validate-manifests: ${err.stack}\n`);
  process.exit(2);
});
