export { Tracker } from './tracker.js';
export { estimateJson, trackHistoryToJson, trackToJson, type EstimateJson, type LinkJson, type PointJson, type ReceiverHearingJson, type SpoofEvidenceJson, type TrackJson } from './track-json.js';
export { SPOOF_FLAGS, TRACK_FLAGS, evaluateFlags, isSpoofFlag, trackFlagId, type SpoofFlag, type TrackFlag, type FlagContext } from './flags.js';
export { evidenceBrief } from './spoofing.js';
export { freeSpaceLossDb, maxRssiDbm } from './spoof-radio.js';
export { preferredIdentity, type IdSlot, type TrackIdentity } from './identity.js';
export { identitiesOf, type TrackPayloadFields, type TrackPayloadJson } from './payloads/index.js';
export { worseDrip, type DripEvidence, type DripState, type DripVerdict, type DripVerifying, type TrackDrip } from './payloads/drip.js';
export { locationAgeSeconds } from './location-time.js';
export { CounterStats, type CounterSnapshot } from './counters.js';
export { RadioLink, ReceiverHearing, linkKey, type ReadonlyCounterStats, type ReadonlyRadioLink, type ReadonlyReceiverHearing, type ReceptionVia } from './link.js';
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
  EstimateReading,
  PositionEstimate,
  SpoofEvidence,
  Track,
  TrackAlert,
  TrackAlertKind,
  TrackerOptions,
  TrackPoint,
  TrackState,
  TrackUpdate,
} from './types.js';
