/** Streaming capture-file readers (pcap, pcapng, btsnoop) and pure pcap/pcapng writers. */

export type { CaptureDiagnosticId, CaptureFormat, CaptureRecord, CaptureWarning } from './types.js';
export { LINKTYPE_BLUETOOTH_HCI_H4, LINKTYPE_BLUETOOTH_LINUX_MONITOR } from './types.js';
export { detectCaptureFormat, DETECT_BYTES } from './detect.js';
export { CaptureReader, type CaptureReaderOptions } from './reader.js';
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
