/** Position sources: each yields timestamped fixes behind one small interface. */
export type { Fix, FixStatus, FixType, PositionSource, SourceEvents } from './types.js';
export { isStale } from './freshness.js';
export { Emitter } from './emitter.js';

export { StaticSource, type StaticSourceOptions } from './static.js';
export { ClockedSource, type ClockedOptions } from './clocked.js';
export { SimulatedFlightSource, type SimulatedFlightOptions, type SimulatedFlightTimeline } from './sim.js';
export { DEFAULT_ROUTE, loadRoute, RouteError, type Route, type RouteWaypoint } from './route.js';

export {
  DEFAULT_NMEA_BAUD,
  DEFAULT_UERE,
  NmeaError,
  NmeaFixAssembler,
  NmeaSource,
  nmeaChecksum,
  parseNmeaSentence,
  toNmea,
  type GgaSentence,
  type GsaSentence,
  type NmeaEvents,
  type NmeaInput,
  type NmeaSentence,
  type NmeaSourceOptions,
  type NmeaStats,
  type OtherSentence,
  type RmcSentence,
  type ToNmeaOptions,
  type VtgSentence,
} from './nmea.js';

export { GPSD_DEFAULT_PORT, GpsdSource, parseGpsdUrl, type GpsdAddress, type GpsdEvents, type GpsdSourceOptions, type GpsdStats, type SkyInfo } from './gpsd.js';

export {
  accuracyFromClass,
  MAVLINK_DEFAULT_BAUD,
  MAVLINK_DEFAULT_UDP_PORT,
  MavlinkSource,
  ODID_MSG_IDS,
  odidLocationToFix,
  odidToPlain,
  parseMavlinkEndpoint,
  type MavlinkEndpoint,
  type MavlinkEvents,
  type MavlinkSourceOptions,
  type MavlinkStats,
  type OdidAuthentication,
  type OdidBasicId,
  type OdidLocation,
  type OdidMavlinkMessage,
  type OdidMessagePack,
  type OdidOperatorId,
  type OdidSelfId,
  type OdidSystem,
} from './mavlink.js';

export { loadSerialPort, openSerialPort, serialPortLoader, type SerialLoader, type SerialPortCtor, type SerialPortLike } from './serial.js';
export { Backoff, type BackoffOptions } from './backoff.js';
export { createPositionSource, findPositionScheme, POSITION_SCHEMES, positionSourcesHelp, type PositionScheme, type PositionSourceDeps } from './registry.js';
export { PositionSourceError, PositionSpecError, type PositionSourceErrorCode, type PositionSpecErrorCode } from './errors.js';
