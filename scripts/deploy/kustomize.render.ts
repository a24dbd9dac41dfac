/**
 * Renders k8s/ the way `kubectl kustomize` does, for the subset of kustomize the project uses:
 * resources (files), namespace, labels (metadata only), images. Anything else in the kustomization
 * fails loudly, so this renderer can never silently disagree with kubectl (which is not installed
 * on the project's machines). Pure: files in, objects out.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

interface Kustomization {
  namespace?: string;
  labels?: { pairs: Record<string, string> }[];
  resources?: string[];
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
}

const KNOWN_FIELDS = new Set(['apiVersion', 'kind', 'namespace', 'labels', 'resources', 'images']);
// Objects kustomize never gives a namespace.
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
]);

export function renderKustomization(dir: string): K8sObject[] {
  const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
  const unknown = Object.keys(k).filter((f) => !KNOWN_FIELDS.has(f));
  if (unknown.length > 0) throw new Error(`kustomization.yaml: unsupported fields ${unknown.join(', ')}`);
  const objects = (k.resources ?? []).flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8'))
      .map((doc) => {
        if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
        return doc.toJS() as K8sObject | null;
      })
      .filter((o): o is K8sObject => o !== null),
  );
  const labels = Object.assign({}, ...(k.labels ?? []).map((l) => l.pairs)) as Record<string, string>;
  for (const o of objects) {
    if (k.namespace && !CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
    if (Object.keys(labels).length > 0) o.metadata.labels = { ...o.metadata.labels, ...labels };
    for (const c of podContainers(o)) c.image = renamed(c.image, k.images ?? []);
  }
  return objects;
}

function renamed(image: string, images: NonNullable<Kustomization['images']>): string {
  const name = image.split(/[:@]/)[0] ?? image;
  const rule = images.find((i) => i.name === name);
  if (!rule) return image;
  const base = rule.newName ?? name;
  if (rule.digest) return `${base}@${rule.digest}`;
  return rule.newTag ? `${base}:${rule.newTag}` : image.replace(name, base);
}

export interface PodContainer {
  name: string;
  image: string;
  [field: string]: unknown;
}

/** The containers (init containers too) of a workload's pod template. */
export function podContainers(o: K8sObject): PodContainer[] {
  const spec = (o.spec as { template?: { spec?: Record<string, PodContainer[] | undefined> } } | undefined)
    ?.template?.spec;
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
}
