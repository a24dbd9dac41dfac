import type { TagsResponse } from '../api';
import { esc } from '../format';

/** Active filters as `key:value` strings (the `tag` query parameter). */
export type TagFilters = readonly string[];

/** One select per tag key of the metric; choosing a value replaces that key's filter. */
export function renderTagBar(
  bar: HTMLElement,
  keys: TagsResponse['keys'],
  active: TagFilters,
  onChange: (filters: string[]) => void,
): void {
  const activeByKey = new Map(active.map((t) => [t.slice(0, t.indexOf(':')), t.slice(t.indexOf(':') + 1)]));
  bar.innerHTML = Object.entries(keys)
    .map(([k, values]) => {
      const cur = activeByKey.get(k);
      return `<label class="tag ${cur !== undefined ? 'on' : ''}"><span>${esc(k)}</span><select data-key="${esc(k)}">
        <option value="">all</option>${values.map((v) => `<option ${v === cur ? 'selected' : ''} value="${esc(v)}">${esc(v)}</option>`).join('')}
      </select></label>`;
    })
    .join('');
  bar.onchange = (e) => {
    const sel = e.target as HTMLSelectElement;
    const key = sel.dataset.key as string;
    const rest = active.filter((t) => !t.startsWith(`${key}:`));
    onChange(sel.value ? [...rest, `${key}:${sel.value}`] : rest);
  };
}
