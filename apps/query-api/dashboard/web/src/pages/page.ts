import type { LiveClient } from '../live';

/** What a page gets: where to render and the shared live connection. It returns its teardown. */
export interface PageContext {
  view: HTMLElement;
  live: LiveClient;
  /** Shows the key form instead of the dashboard (the key was refused). */
  askForKey: (reason?: string) => void;
}

export type Teardown = () => void;
