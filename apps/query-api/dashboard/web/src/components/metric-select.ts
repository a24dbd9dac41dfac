import type { NamedItem } from '../api';
import { esc } from '../format';

/** The metric picker of the service page. */
export function renderMetricSelect(
  select: HTMLSelectElement,
  metrics: NamedItem[],
  selected: string | undefined,
  onChange: (metric: string) => void,
): void {
  select.innerHTML = metrics
    .map((m) => `<option ${m.name === selected ? 'selected' : ''}>${esc(m.name)}</option>`)
    .join('');
  select.onchange = () => onChange(select.value);
}
