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
  EVIDENCE_RECORDING_VERSION,
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
export {
  createEvidenceRecordingWriter,
  type EvidenceKey,
  type EvidenceOptions,
  type EvidenceRecordingWriter,
  type EvidenceWriterOptions,
  type SealContent,
  type SealPosition,
} from './recording-chain.js';
export { verifyRecording, type ProblemKind, type SealSummary, type VerifyOptions, type VerifyProblem, type VerifyReport, type VerifyStatus } from './recording-verify.js';
export {
  defaultReceiverKeyPath,
  keyFingerprint,
  loadOrCreateDefaultKey,
  loadPublicKeys,
  loadReceiverKey,
  odidHome,
  ReceiverKeyError,
  type ReceiverKey,
  type ReceiverKeyErrorCode,
} from './receiver-key.js';
export { createRecordingDirectoryWriter, type RecordingDirectoryOptions, type RecordingDirectoryWriter } from './recording-directory.js';
export { deleteOldRecordings, type RetentionOptions, type RetentionResult } from './retention.js';
export type { ClockReport } from './clock-source.js';
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
  type StreamContext,
  type StreamOutputs,
  type StreamScheme,
} from './registry.js';
export { decimal, escapeXml, isoTime } from './xml.js';
export {
  MQTT_PASSWORD_ENV,
  MqttError,
  brokerName,
  explainMqttError,
  loadMqttSecurity,
  parseBrokerUrl,
  type BrokerTarget,
  type MqttErrorCode,
  type MqttSecurity,
  type MqttSecurityOptions,
} from './mqtt-connect.js';
export {
  MQTT_SCHEMA_VERSION,
  MqttWireError,
  decodeFrameBatch,
  decodeStatus,
  encodeFrameBatch,
  encodeStatus,
  type FrameBatch,
  type MqttWireErrorCode,
  type ReceiverStatus,
  type WireFrame,
} from './mqtt-schema.js';
export { DiskSpool, MemorySpool, SpoolError, parseByteSize, type Spool, type SpoolRecord } from './mqtt-spool.js';
export { DEFAULT_SITE, TOPIC_ROOT, checkTopicLevel, parseTopic, siteFilter, topicOf, type TopicKind } from './mqtt-topics.js';
export { openMqttPublisher, publishPlan, type MqttPublisher, type MqttPublishOptions, type PublisherContext, type PublisherStats, type PublishPlan } from './mqtt-publish.js';
