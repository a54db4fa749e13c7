/**
 * Tracks as a KML 2.2 document (Google Earth, QGIS, ATAK import): one Folder per track holding Placemarks
 * for the drone, its operator and home point, and its history as a LineString with altitude.
 *
 * Altitude: with a known altitude, points use altitudeMode "absolute". KML means metres above mean sea level,
 * Remote ID sends height above the WGS-84 ellipsoid; the two differ by the local geoid height (-106 to +85 m,
 * about +40 m in central Europe). No geoid model is bundled, so the value is written as received. Without an
 * altitude, "clampToGround". No icon URLs are referenced: everything stays on the device.
 */

import type { Track, TrackPoint } from '../tracker/types.js';
import { decimal, escapeXml, isoTime } from './xml.js';

export interface KmlOptions {
  /** Document name (default "Remote ID"). */
  name?: string;
  /** Leave out tracks in state 'lost'. */
  skipLost?: boolean;
}

const KML_NS = 'http://www.opengis.net/kml/2.2';
// aabbggrr colours.
const STYLES = `<Style id="drone"><IconStyle><color>ff0000ff</color><scale>1.2</scale></IconStyle></Style>
<Style id="drone-flagged"><IconStyle><color>ff00a5ff</color><scale>1.4</scale></IconStyle></Style>
<Style id="operator"><IconStyle><color>ffff0000</color></IconStyle></Style>
<Style id="home"><IconStyle><color>ff00ff00</color></IconStyle></Style>
<Style id="track"><LineStyle><color>ff00ffff</color><width>3</width></LineStyle></Style>
`;

export function tracksToKml(tracks: Iterable<Track>, opts: KmlOptions = {}): string {
  let out = `<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="${KML_NS}">\n<Document>\n<name>${escapeXml(opts.name ?? 'Remote ID')}</name>\n${STYLES}`;
  for (const t of tracks) {
    if (opts.skipLost && t.state === 'lost') continue;
    const label = t.uasId ?? t.key;
    out += `<Folder>\n<name>${escapeXml(label)}</name>\n`;
    if (t.position) {
      const p = t.position;
      out += placemark({
        name: label,
        description: describe(t),
        when: p.t,
        style: t.flags.length ? 'drone-flagged' : 'drone',
        data: {
          key: t.key,
          uasId: t.uasId ?? '',
          state: t.state,
          flags: t.flags.join(' '),
          operatorId: t.operatorId?.operatorId ?? '',
          speed: p.speed !== undefined ? String(p.speed) : '',
          course: p.course !== undefined ? String(p.course) : '',
        },
        geometry: point(p.lon, p.lat, p.alt),
      });
    }
    if (t.operator) {
      const o = t.operator;
      out += placemark({ name: `${label} operator`, description: `Operator position (${o.source})`, when: o.t, style: 'operator', data: { key: t.key, source: o.source }, geometry: point(o.lon, o.lat, o.alt) });
    }
    if (t.home) {
      const h = t.home;
      out += placemark({ name: `${label} home`, description: `Home point (${h.source})`, when: h.t, style: 'home', data: { key: t.key, source: h.source }, geometry: point(h.lon, h.lat, h.alt) });
    }
    if (t.history.length >= 2) {
      out += placemark({ name: `${label} track`, description: `${t.history.length} positions`, style: 'track', data: { key: t.key }, geometry: lineString(t.history.points()) });
    }
    out += '</Folder>\n';
  }
  return out + '</Document>\n</kml>\n';
}

interface PlacemarkParts {
  name: string;
  description: string;
  when?: number;
  style: string;
  data: Record<string, string>;
  geometry: string;
}

/** Children in the order the KML 2.2 schema requires: name, description, TimeStamp, styleUrl, ExtendedData, geometry. */
function placemark(p: PlacemarkParts): string {
  let s = `<Placemark>\n<name>${escapeXml(p.name)}</name>\n<description>${escapeXml(p.description)}</description>\n`;
  if (p.when !== undefined) s += `<TimeStamp><when>${isoTime(p.when)}</when></TimeStamp>\n`;
  s += `<styleUrl>#${p.style}</styleUrl>\n<ExtendedData>`;
  for (const [k, v] of Object.entries(p.data)) s += `<Data name="${escapeXml(k)}"><value>${escapeXml(v)}</value></Data>`;
  return s + `</ExtendedData>\n${p.geometry}\n</Placemark>\n`;
}

function point(lon: number, lat: number, alt: number | undefined): string {
  return `<Point><altitudeMode>${alt !== undefined ? 'absolute' : 'clampToGround'}</altitudeMode><coordinates>${coords(lon, lat, alt)}</coordinates></Point>`;
}

function lineString(history: readonly TrackPoint[]): string {
  const with3d = history.every((p) => p.alt !== undefined);
  const list = history.map((p) => coords(p.lon, p.lat, with3d ? p.alt : undefined)).join(' ');
  return `<LineString><tessellate>1</tessellate><altitudeMode>${with3d ? 'absolute' : 'clampToGround'}</altitudeMode><coordinates>${list}</coordinates></LineString>`;
}

const coords = (lon: number, lat: number, alt: number | undefined): string =>
  `${decimal(lon, 7)},${decimal(lat, 7)}${alt !== undefined ? `,${decimal(alt, 1)}` : ''}`;

function describe(t: Track): string {
  const parts = [`state ${t.state}`];
  if (t.flags.length) parts.push(`flags: ${t.flags.join(', ')}`);
  for (const e of t.spoofing) if (t.flags.includes(e.flag)) parts.push(`spoofing ${e.flag}: ${e.detail}`);
  if (t.operatorId) parts.push(`operator ID ${t.operatorId.operatorId}`);
  if (t.selfId?.desc) parts.push(`self-ID "${t.selfId.desc}"`);
  parts.push(`transports ${[...t.transports].join(', ')}`);
  return parts.join('; ');
}
