/** A fixed point: a ground station, a bench test, or a drone parked for a demo. */
import { ALTITUDE_FIELD as ALT } from '@odid/codec';
import { ClockedSource, type ClockedOptions } from './clocked.js';
import type { Fix } from './types.js';

export interface StaticSourceOptions extends ClockedOptions {
  latitude: number;
  longitude: number;
  /** m, WGS-84 height above ellipsoid. */
  altitude?: number;
  /** m (95 %); a surveyed point can claim better than a GNSS fix. */
  horizontalAccuracy?: number;
  verticalAccuracy?: number;
}

export class StaticSource extends ClockedSource {
  readonly name: string;
  private readonly point: Omit<Fix, 'time'>;

  constructor(opts: StaticSourceOptions) {
    super(opts);
    checkLatLon(opts.latitude, opts.longitude, 'static');
    if (opts.altitude !== undefined && !(Number.isFinite(opts.altitude) && opts.altitude >= ALT.min && opts.altitude <= ALT.max)) {
      throw new RangeError(`static: altitude must be metres HAE in ${ALT.min}..${ALT.max}, got ${opts.altitude}`);
    }
    this.name = `static:${opts.latitude},${opts.longitude}${opts.altitude === undefined ? '' : `,${opts.altitude}`}`;
    this.point = {
      latitude: opts.latitude,
      longitude: opts.longitude,
      ...(opts.altitude === undefined ? {} : { altitudeGeo: opts.altitude }),
      height: 0,
      speedHorizontal: 0,
      speedVertical: 0,
      ...(opts.horizontalAccuracy === undefined ? {} : { horizontalAccuracy: opts.horizontalAccuracy }),
      ...(opts.verticalAccuracy === undefined ? {} : { verticalAccuracy: opts.verticalAccuracy }),
      status: 'ground',
      fixType: opts.altitude === undefined ? '2d' : '3d',
    };
  }

  positionAt(ms: number): Fix {
    return { time: ms, ...this.point };
  }
}

export function checkLatLon(lat: number, lon: number, what: string): void {
  if (!(Number.isFinite(lat) && lat >= -90 && lat <= 90)) throw new RangeError(`${what}: latitude must be degrees in -90..90, got ${lat}`);
  if (!(Number.isFinite(lon) && lon >= -180 && lon <= 180)) throw new RangeError(`${what}: longitude must be degrees in -180..180, got ${lon}`);
}
