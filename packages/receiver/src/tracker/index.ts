export { Tracker } from './tracker.js';
export { trackHistoryToJson, trackToJson, type LinkJson, type PointJson, type TrackJson } from './track-json.js';
export { TRACK_FLAGS, evaluateFlags, type TrackFlag, type FlagContext } from './flags.js';
export { identitiesOf, preferredIdentity, type IdSlot, type TrackIdentity } from './identity.js';
export { locationAgeSeconds } from './location-time.js';
export { CounterStats, type CounterSnapshot } from './counters.js';
export { RadioLink, linkKey } from './link.js';
export { RateMeter } from './rates.js';
export { PositionHistory } from './history.js';
export type {
  HomePoint,
  HomeSource,
  OperatorPosition,
  OperatorSource,
  SpoofEvidence,
  Track,
  TrackerOptions,
  TrackPoint,
  TrackState,
  TrackUpdate,
} from './types.js';
