/** What a label or annotation template may use: {{service}}, {{value}}, {{tags.endpoint}}, … */
export interface TemplateVars {
  service: string;
  metric: string;
  window: string;
  stat: string;
  threshold: string;
  value: string;
  tags: Record<string, string>;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g;

/** Fills a template; an unknown name renders as "" so a typo shows up as a gap, never as an error. */
export function renderTemplate(template: string, vars: TemplateVars): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    if (name.startsWith('tags.')) return vars.tags[name.slice(5)] ?? '';
    const v = (vars as unknown as Record<string, unknown>)[name];
    return typeof v === 'string' ? v : '';
  });
}
