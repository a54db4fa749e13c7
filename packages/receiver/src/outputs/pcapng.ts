/**
 * Raw frames to a pcapng file (Wireshark, tshark, the codec's CaptureReader): one section, one interface per
 * link type, added when that link type first appears, so BLE (DLT 256) and Wi-Fi (DLT 127) frames of one
 * session share a file. Timestamps are written in microseconds, the resolution captures deliver.
 */

import { PcapngWriter, ToolkitError } from '@odid/codec';
import { endSink, type FrameOutput, type RawFrame, type Sink } from './types.js';

export interface PcapngOutputOptions {
  /** shb_userappl (default "@odid/receiver"). */
  application?: string;
  /** if_name for a link type (default: none). */
  interfaceName?: (linkType: number) => string | undefined;
  /** End the sink on close (default true). */
  end?: boolean;
}

/** if_tsresol 6: microseconds. */
const TSRESOL_MICROSECONDS = 6;

export function createPcapngOutput(sink: Sink<Uint8Array>, opts: PcapngOutputOptions = {}): FrameOutput {
  const writer = new PcapngWriter({ application: opts.application ?? '@odid/receiver' });
  const interfaces = new Map<number, number>();
  sink.write(writer.header());
  let closed = false;
  return {
    write(frame: RawFrame) {
      if (closed) throw new ToolkitError('closed', 'pcapng output is closed');
      let id = interfaces.get(frame.linkType);
      if (id === undefined) {
        const name = opts.interfaceName?.(frame.linkType);
        const idb = writer.addInterface({ linkType: frame.linkType, tsresol: TSRESOL_MICROSECONDS, ...(name !== undefined && { name }) });
        interfaces.set(frame.linkType, (id = idb.id));
        sink.write(idb.bytes);
      }
      sink.write(writer.packet(id, frame.t, frame.data, frame.originalLength !== undefined ? { originalLength: frame.originalLength } : {}));
    },
    async close() {
      if (closed) return;
      closed = true;
      if (opts.end ?? true) await endSink(sink);
    },
  };
}
