/** The hash routes: `#/` (overview), `#/service/<name>?range=&metric=&tag=k:v` and `#/rules`. */
export type Route =
  { page: 'overview' } | { page: 'rules' } | { page: 'service'; service: string; params: URLSearchParams };

export function currentRoute(hash = location.hash): Route {
  const [path, query] = hash.replace(/^#/, '').split('?');
  const m = /^\/service\/([^/]+)$/.exec(path ?? '');
  if (m)
    return {
      page: 'service',
      service: decodeURIComponent(m[1] as string),
      params: new URLSearchParams(query),
    };
  if (path === '/rules') return { page: 'rules' };
  return { page: 'overview' };
}

export function serviceHref(service: string, params?: URLSearchParams): string {
  const base = `#/service/${encodeURIComponent(service)}`;
  return params ? `${base}?${params}` : base;
}
