export { Tracker } from './tracker.js';
export { trackHistoryToJson, trackToJson, type LinkJson, type PointJson, type TrackJson } from './track-json.js';
export { TRACK_FLAGS, evaluateFlags, trackFlagId, type TrackFlag, type FlagContext } from './flags.js';
export { preferredIdentity, type IdSlot, type TrackIdentity } from './identity.js';
export { identitiesOf, type TrackPayloadFields, type TrackPayloadJson } from './payloads/index.js';
export { locationAgeSeconds } from './location-time.js';
export { CounterStats, type CounterSnapshot } from './counters.js';
export { RadioLink, linkKey, type ReadonlyCounterStats, type ReadonlyRadioLink } from './link.js';
export { RateMeter } from './rates.js';
export { PositionHistory, type ReadonlyPositionHistory } from './history.js';
export {
  ZONE_NAME_MAX,
  ZonesError,
  loadZonesFile,
  parseZones,
  saveZonesFile,
  zoneContains,
  zoneContainsPosition,
  zonesAt,
  zonesToGeoJson,
  type Zone,
  type ZoneFeature,
  type ZoneFeatureCollection,
  type ZoneGeometry,
  type ZonePolygon,
  type ZonesErrorCode,
} from './zones.js';
export { AllowList, AllowListError, loadAllowListFile, parseAllowList, parseIsoTime, type AllowEntry, type AllowListErrorCode, type AllowListFormat } from './allow-list.js';
export { locateJsonError, parseJsonText, type JsonSyntaxError } from './json-text.js';
export type {
  HomePoint,
  HomeSource,
  OperatorPosition,
  OperatorSource,
  SpoofEvidence,
  Track,
  TrackAlert,
  TrackAlertKind,
  TrackerOptions,
  TrackPoint,
  TrackState,
  TrackUpdate,
} from './types.js';
