/**
 * Where the page talks to the receiver: all on the page's own origin (the CSP allows nothing else).
 *
 * Off loopback the receiver wants its session token: the URL `rid-scan --web` prints carries it once
 * (`?token=`), the receiver answers with a cookie, and the browser sends that cookie with every later
 * request and the WebSocket. The page also passes on a token its own URL carried, for browsers that keep
 * no cookie, and takes it out of the address bar (where anyone looking at the screen would read it).
 */

let token: string | null = null;

export function initToken(loc: Location = window.location): string | null {
  token = new URLSearchParams(loc.search).get('token') ?? new URLSearchParams(loc.hash.replace(/^#/, '')).get('token');
  return token;
}

function withToken(path: string): string {
  if (!token) return path;
  return `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}

export function wsUrl(loc: Location = window.location): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}${withToken('/ws')}`;
}

/** An export the receiver offers (hello.exports): a name such as "tracks.geojson", served under /export/. */
export function exportUrl(name: string): string {
  return withToken(`/export/${encodeURIComponent(name.replace(/^\/?export\//, ''))}`);
}

export const basemapUrl = (): string => withToken('/basemap.pmtiles');
export const worldUrl = (detail?: '50m'): string => (detail ? 'world-50m.json' : 'world.json');

/** Saves a drawn zone on the receiver (only when hello.canSaveZones): 204 when saved. */
export async function postZone(featureCollection: unknown): Promise<Response> {
  return fetch(withToken('/zones'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(featureCollection),
    credentials: 'same-origin',
  });
}
