/** Streaming capture-file readers (pcap, pcapng, btsnoop; plain or gzip/zstd/lz4 compressed) and pure pcap/pcapng writers. */

export type { CaptureDiagnosticId, CaptureFormat, CaptureRecord, CaptureWarning } from './types.js';
export { LINKTYPE_BLUETOOTH_HCI_H4, LINKTYPE_BLUETOOTH_LINUX_MONITOR } from './types.js';
export { detectCaptureFormat, DETECT_BYTES } from './detect.js';
export { CaptureReader, type CaptureReaderOptions } from './reader.js';
export {
  COMPRESSION_DETECT_BYTES,
  COMPRESSION_MAGICS,
  DecompressError,
  detectCompression,
  type CompressionFormat,
  type DecompressFailure,
  type Decompressor,
  type EmitBytes,
} from './compression.js';
export { createDecompressor } from './decompress.js';
export { PcapWriter, type PcapHeaderOptions } from './pcap-writer.js';
export {
  PcapngWriter,
  type PcapngWriterOptions,
  type PcapngInterfaceOptions,
  type PcapngPacketOptions,
} from './pcapng-writer.js';
export {
  BTSNOOP_DATALINK_HCI,
  BTSNOOP_DATALINK_H4,
  BTSNOOP_DATALINK_MONITOR,
  BTSNOOP_LINKTYPE_BASE,
} from './btsnoop.js';
export { tsresolToTicksPerSecond } from './timestamp.js';
