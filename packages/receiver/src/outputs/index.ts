export type { FrameOutput, RawFrame, Sink, TrackOutput } from './types.js';
export { endSink } from './types.js';
export { createJsonlOutput, trackUpdateToJson, type JsonlOptions, type JsonlOutput } from './jsonl.js';
export { tracksToGeoJson, type Feature, type FeatureCollection, type FeatureKind, type GeoJsonOptions } from './geojson.js';
export { tracksToKml, type KmlOptions } from './kml.js';
export {
  COT_TYPE_OPERATOR,
  COT_TYPE_UAV_FIXED_WING,
  COT_TYPE_UAV_ROTARY,
  COT_UNKNOWN,
  cotUid,
  createCotOutput,
  trackToCot,
  type CotEvent,
  type CotOptions,
  type CotOutputOptions,
} from './cot.js';
export {
  COT_MULTICAST_GROUP,
  COT_MULTICAST_PORT,
  createTcpCotSender,
  createUdpCotSender,
  type CotSender,
  type CotTarget,
  type TcpCotOptions,
  type UdpCotOptions,
} from './cot-send.js';
export {
  RECORDING_FORMAT,
  RECORDING_VERSION,
  RecordingError,
  createRecordingWriter,
  readRecording,
  readRecordingSync,
  type RecordingErrorCode,
  type RecordingHeader,
  type RecordingReadOptions,
  type RecordingWriterOptions,
} from './recording.js';
export { createPcapngOutput, type PcapngOutputOptions } from './pcapng.js';
export {
  OUTPUT_OPTIONS,
  OUTPUT_SCHEMES,
  findOutputScheme,
  outputOptionHelp,
  outputPolicy,
  outputsHelp,
  parseCotUrl,
  streamOptions,
  type ExportScheme,
  type NetworkScheme,
  type OutputOption,
  type OutputScheme,
  type StreamOutputs,
  type StreamScheme,
} from './registry.js';
export { decimal, escapeXml, isoTime } from './xml.js';
