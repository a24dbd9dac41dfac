/**
 * Validates rendered objects against the Kubernetes API schemas and the Strimzi and KEDA CRD
 * schemas, offline, from the kubernetes-models packages, in two passes:
 * - their compiled JSON-schema validators: required fields, types, enums, patterns, formats;
 * - TypeScript's excess-property check against their declared types, because those schemas (like
 *   the API's own OpenAPI) allow unknown fields, while `kubectl apply` rejects them (strict field
 *   validation) or the API server prunes them — a misspelt field must fail here, not be dropped.
 * The packages are ES modules, so this runs in a plain Node process (validate-manifests.ts), not
 * under jest.
 */
import { dirname, join } from 'node:path';
import ts from 'typescript';
import type { K8sObject } from './kustomize.render';

const CRD_PACKAGES: Record<string, string> = {
  'kafka.strimzi.io': '@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io',
  'keda.sh': '@kubernetes-models/keda/keda.sh',
};

/** The models module of an apiVersion/kind, e.g. kubernetes-models/apps/v1/Deployment. */
export function modelModule(apiVersion: string, kind: string): string {
  const [group = '', version = apiVersion] = apiVersion.includes('/')
    ? apiVersion.split('/')
    : ['', apiVersion];
  if (group === '') return `kubernetes-models/${version}/${kind}`;
  return `${CRD_PACKAGES[group] ?? `kubernetes-models/${group}`}/${version}/${kind}`;
}

// A real dynamic import: the models are ES modules whose exports have no `require` condition, and
// the TypeScript transpilers this project runs scripts with turn `import()` into `require()`.
const importModule = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;

const label = (o: K8sObject) => `${o.kind}/${o.metadata?.name}`;

export async function schemaProblems(objects: K8sObject[]): Promise<string[]> {
  return [...(await validatorProblems(objects)), ...excessFieldProblems(objects)];
}

async function validatorProblems(objects: K8sObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const o of objects) {
    let Model: new (data: unknown) => { validate(): void };
    try {
      const mod = (await importModule(modelModule(o.apiVersion, o.kind))) as Record<string, typeof Model>;
      Model = mod[o.kind]!;
      if (!Model) throw new Error('no model');
    } catch {
      problems.push(`${label(o)}: no schema for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    try {
      new Model(o).validate();
    } catch (err) {
      problems.push(`${label(o)}: ${(err as Error).message}`);
    }
  }
  return problems;
}

function excessFieldProblems(objects: K8sObject[]): string[] {
  const source = objects
    .map((o, i) => {
      const spec = JSON.stringify(modelModule(o.apiVersion, o.kind));
      return `import type { I${o.kind} as T${i} } from ${spec};\nexport const o${i}: T${i} = ${JSON.stringify(o, null, 1)};`;
    })
    .join('\n');
  const file = join(process.cwd(), '__manifests__.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
  };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) =>
    name === file ? ts.createSourceFile(name, source, lang) : read(name, lang, ...rest);
  host.getCurrentDirectory = () => dirname(file);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n').slice(-1)[0];
    const before = d.file && d.start !== undefined ? source.slice(0, d.start) : '';
    const index = (before.match(/export const o\d+/g) ?? []).length - 1;
    const where = objects[index] ? label(objects[index]) : 'manifests';
    const line = before.slice(before.lastIndexOf('\n') + 1) + source.slice(d.start ?? 0).split('\n')[0];
    return `${where}: ${text} (at ${line.trim().slice(0, 80)})`;
  });
}
