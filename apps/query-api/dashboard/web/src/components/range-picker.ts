import { allRanges, type Range } from '../ranges';

/** The header's range buttons; returns the teardown (the header outlives the page). */
export function renderRangePicker(el: HTMLElement, current: Range, onPick: (id: string) => void): () => void {
  el.innerHTML = allRanges()
    .map(
      (r) =>
        `<button data-range="${r.id}" class="${r.id === current.id ? 'on' : ''}" title="${r.window} windows">${r.label}</button>`,
    )
    .join('');
  el.onclick = (e) => {
    const id = (e.target as HTMLElement).dataset.range;
    if (id) onPick(id);
  };
  return () => {
    el.onclick = null;
  };
}
