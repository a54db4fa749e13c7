/**
 * One catalogue of everything the toolkit notices about its input without stopping: damaged captures,
 * link-layer oddities, frames dropped, out-of-range fields, track flags. Modelled on Wireshark's expert
 * info: every diagnostic has a stable id, a severity and a group, and words (`detail`) for people. Programs
 * and tests match on `id`, never on the words. docs/diagnostics.md lists the catalogue (a test keeps it in
 * step).
 */

import type { DropReason } from './receive/types.js';

/**
 * Wireshark's four levels, most serious last in SEVERITIES:
 * - error: something was lost or is forbidden: data that does not decode, a failed CRC, a value the
 *   standard forbids, an emergency or a suspected spoof;
 * - warning: wrong or unusual, but read anyway (reserved bits, bytes left over, unknown versions, damage
 *   a reader worked around);
 * - note: notable but allowed or expected (a known firmware quirk, a frame dropped as asked);
 * - chat: routine (a sniffer event that is not a packet).
 */
export type Severity = 'chat' | 'note' | 'warning' | 'error';
export const SEVERITIES: readonly Severity[] = ['chat', 'note', 'warning', 'error'];

/** Where a diagnostic arises, from the container inwards. */
export type DiagnosticGroup = 'capture' | 'link' | 'framing' | 'message' | 'validation' | 'track';
export const DIAGNOSTIC_GROUPS: readonly DiagnosticGroup[] = ['capture', 'link', 'framing', 'message', 'validation', 'track'];

/** The words the receive statistics count link-layer diagnostics under ("link warnings 30 ble"). */
export type LinkLayer = 'radiotap' | 'ppi' | 'prism' | 'avs' | '802.11' | 'ble' | 'blePhdr' | 'nordic' | 'hci';

export interface DiagnosticInfo {
  readonly severity: Severity;
  readonly group: DiagnosticGroup;
  /** One line: what it means. */
  readonly summary: string;
  /** Raised by the receive path when a frame (or part of one) that carried Remote ID yields nothing: counted under this drop reason. */
  readonly drop?: DropReason;
  /** Raised by a link layer on a record it still decodes: counted under this layer's name. */
  readonly layer?: LinkLayer;
}

/**
 * The catalogue. Ids are `<group>.<name>`, stable once published: rename one only with its docs and
 * every consumer. Order: by group, as DIAGNOSTIC_GROUPS; track flags in the order tracks list them.
 */
export const DIAGNOSTICS = {
  // Capture containers (CaptureReader): reading always goes on, so each is a warning.
  'capture.empty': { severity: 'warning', group: 'capture', summary: 'the input is empty' },
  'capture.unknown-format': { severity: 'warning', group: 'capture', summary: 'not a pcap, pcapng or btsnoop file: nothing is read (odid decode exits with 1)' },
  'capture.version': { severity: 'warning', group: 'capture', summary: 'a file or section header has a version other than the one defined; read as that one' },
  'capture.unknown-datalink': { severity: 'warning', group: 'capture', summary: 'a btsnoop datalink type with no pcap link type; its records are kept with a private link type' },
  'capture.truncated': { severity: 'warning', group: 'capture', summary: 'the input ends inside a file header, record or block (nothing believable follows)' },
  'capture.bad-header': { severity: 'warning', group: 'capture', summary: 'an implausible record header, a damaged block or a wrong length: bytes are skipped up to the next believable record' },
  'capture.misaligned': { severity: 'warning', group: 'capture', summary: 'the first record header reads as a misaligned one: bytes are skipped up to the real records' },
  'capture.compressed-corrupt': { severity: 'warning', group: 'capture', summary: 'the gzip, zstd or lz4 data around the capture is damaged (a bad block, a checksum that does not match): what was decompressed before it is read, nothing after' },
  'capture.compressed-truncated': { severity: 'warning', group: 'capture', summary: 'the gzip, zstd or lz4 data ends inside a member or frame: what was decompressed is read' },
  'capture.compressed-trailing': { severity: 'warning', group: 'capture', summary: 'after the last gzip member or zstd/lz4 frame come bytes that are neither another one nor zero padding: ignored' },

  // Link layers (radiotap, 802.11, BLE link layer and sniffer headers, HCI) and the receive path above them.
  'link.unreadable': { severity: 'error', group: 'link', summary: 'the link layer cannot read the record (truncated, malformed or an unsupported link type)' },
  'link.radiotap-unparsed-field': { severity: 'note', group: 'link', layer: 'radiotap', summary: 'radiotap TLVs or an unknown field: the fields after it are not read (the 802.11 frame still is)' },
  'link.radiotap-overrun': { severity: 'warning', group: 'link', layer: 'radiotap', summary: 'a radiotap field, present bitmap or vendor namespace runs past the header length' },
  'link.radiotap-bad-fcs-flag': { severity: 'warning', group: 'link', layer: 'radiotap', summary: "radiotap's bad-FCS flag is set but the FCS matches" },
  'link.ppi-malformed-field': { severity: 'warning', group: 'link', layer: 'ppi', summary: 'a PPI field runs past the header length, or an 802.11-Common field is not 20 bytes: it is not read (the 802.11 frame still is)' },
  'link.ppi-bad-fcs-flag': { severity: 'warning', group: 'link', layer: 'ppi', summary: "PPI 802.11-Common's FCS-invalid flag is set but the FCS matches" },
  'link.prism-no-header': { severity: 'warning', group: 'link', layer: 'prism', summary: 'a Prism record whose message code is neither Prism (0x41, 0x44) nor AVS: read as a bare 802.11 frame, as Wireshark does' },
  'link.prism-length': { severity: 'warning', group: 'link', layer: 'prism', summary: 'a Prism header whose message length is not 144: read as the 144 bytes it always is, as Wireshark does' },
  'link.avs-version': { severity: 'warning', group: 'link', layer: 'avs', summary: 'an AVS header version other than 1 and 2: its fields are not read (the 802.11 frame after its length still is)' },
  'link.bad-fcs': { severity: 'error', group: 'link', layer: '802.11', summary: 'the 802.11 FCS check failed (computed, or as the driver reports)' },
  'link.fcs-not-captured': { severity: 'note', group: 'link', layer: '802.11', summary: 'the capture cut the record short (snap length) before the end of its 802.11 FCS: the FCS cannot be checked, the frame is read without it' },
  'link.bad-crc': { severity: 'error', group: 'link', layer: 'ble', summary: 'the BLE CRC check failed (computed, or as the sniffer reports)' },
  'link.ble-trailing-bytes': { severity: 'warning', group: 'link', layer: 'ble', summary: 'bytes after the BLE CRC' },
  'link.ble-reserved-bits': { severity: 'warning', group: 'link', layer: 'ble', summary: 'a reserved bit of the PDU header or of the extended header flags is set' },
  'link.ble-oversized-pdu': { severity: 'warning', group: 'link', layer: 'ble', summary: 'a legacy advertising payload longer than the 37 bytes allowed' },
  'link.ble-phdr-reserved': { severity: 'warning', group: 'link', layer: 'blePhdr', summary: 'the BLE pseudo-header holds a reserved PDU type or PHY value' },
  'link.ble-phdr-channel': { severity: 'warning', group: 'link', layer: 'blePhdr', summary: 'the BLE pseudo-header names an RF channel outside 0..39' },
  'link.ble-phdr-whitened': { severity: 'warning', group: 'link', layer: 'blePhdr', summary: 'the BLE pseudo-header does not flag the packet as de-whitened' },
  'link.ble-phdr-crc-disagrees': { severity: 'warning', group: 'link', layer: 'blePhdr', summary: "the BLE pseudo-header's CRC verdict differs from the computed one" },
  'link.nordic-version': { severity: 'warning', group: 'link', layer: 'nordic', summary: 'an nRF Sniffer protocol version newer than known, read as the newest' },
  'link.nordic-trailing-bytes': { severity: 'warning', group: 'link', layer: 'nordic', summary: 'bytes after the nRF Sniffer payload' },
  'link.nordic-no-packet': { severity: 'chat', group: 'link', layer: 'nordic', summary: 'an nRF Sniffer event that carries no radio packet' },
  'link.nordic-reserved-phy': { severity: 'warning', group: 'link', layer: 'nordic', summary: 'the nRF Sniffer header holds a reserved PHY value (read as uncoded)' },
  'link.nordic-channel': { severity: 'warning', group: 'link', layer: 'nordic', summary: 'the nRF Sniffer header names a channel index outside 0..39' },
  'link.nordic-crc-disagrees': { severity: 'warning', group: 'link', layer: 'nordic', summary: "the nRF Sniffer's CRC verdict differs from the computed one" },
  'link.hci-trailing-bytes': { severity: 'warning', group: 'link', layer: 'hci', summary: 'bytes after the HCI event or after its last advertising report' },
  'link.hci-report-count': { severity: 'warning', group: 'link', layer: 'hci', summary: 'an HCI advertising report event with Num_Reports outside 1..25' },
  'link.hci-oversized-report': { severity: 'warning', group: 'link', layer: 'hci', summary: 'a legacy HCI advertising report with more than 31 data bytes' },
  'link.hci-reserved-event-type': { severity: 'warning', group: 'link', layer: 'hci', summary: 'an HCI advertising report with a reserved or disallowed event type' },
  'link.hci-reserved-data-status': { severity: 'warning', group: 'link', layer: 'hci', summary: 'an HCI extended advertising report with the reserved data status 3' },
  'link.bad-fcs-dropped': { severity: 'note', group: 'link', drop: 'bad-fcs', summary: 'a Wi-Fi frame whose FCS failed is dropped (--keep-bad-fcs keeps it)' },
  'link.bad-crc-dropped': { severity: 'note', group: 'link', drop: 'bad-crc', summary: 'a BLE frame whose CRC failed is dropped (--keep-bad-fcs keeps it)' },
  'link.fragment-lost': { severity: 'error', group: 'link', drop: 'fragment-lost', summary: 'fragments of an extended advert are lost (truncated, too long, or never completed)' },

  // Remote ID inside the frames: beacon and NAN framing, DJI DroneID and French ID elements.
  'framing.truncated-element': { severity: 'note', group: 'framing', summary: 'an information element that is not Remote ID runs past the end of the frame; the elements before it are read' },
  'framing.truncated-remote-id-element': { severity: 'error', group: 'framing', drop: 'malformed', summary: 'a Remote ID, DJI or French element runs past the end of the frame' },
  'framing.malformed-beacon-element': { severity: 'error', group: 'framing', drop: 'malformed', summary: 'an Open Drone ID beacon vendor element that does not decode' },
  'framing.malformed-nan': { severity: 'error', group: 'framing', drop: 'malformed', summary: 'a Wi-Fi NAN action frame for Remote ID that does not decode' },
  'framing.malformed-dji': { severity: 'error', group: 'framing', drop: 'malformed', summary: 'a DJI DroneID element that does not decode' },
  'framing.malformed-french': { severity: 'error', group: 'framing', drop: 'malformed', summary: 'a French ID element that does not decode' },
  'framing.dji-unknown-layout': { severity: 'warning', group: 'framing', summary: 'a DJI flight record whose version and length match no known layout: only the common fields are decoded' },
  'framing.dji-position-range': { severity: 'warning', group: 'framing', summary: 'a DJI position beyond ±90°/±180°: the layout or field order may not match' },
  'framing.dji-length-overflow': { severity: 'warning', group: 'framing', summary: 'a DJI UUID, drone ID or purpose length beyond its slot or the record: the text is cut' },
  'framing.dji-blank': { severity: 'note', group: 'framing', summary: 'a blank DJI record (subcommand 0, all zero): a known Mavic firmware bug, no data' },
  'framing.french-unknown-tlv': { severity: 'note', group: 'framing', summary: 'a French ID TLV of an unknown type, skipped' },
  'framing.french-repeated-tlv': { severity: 'warning', group: 'framing', summary: 'a French ID TLV sent twice: the last one is kept' },
  'framing.french-missing-tlv': { severity: 'warning', group: 'framing', summary: 'a mandatory French ID TLV is missing' },
  'framing.french-no-identifier': { severity: 'warning', group: 'framing', summary: 'a French ID element with neither identifier (TLV 2 or 3)' },

  // Open Drone ID messages and packs.
  'message.malformed': { severity: 'error', group: 'message', drop: 'malformed', summary: 'an Open Drone ID message or message pack that does not decode' },
  'message.empty-pack': { severity: 'warning', group: 'message', drop: 'empty-pack', summary: 'a message pack with no messages' },
  'message.pack-member': { severity: 'error', group: 'message', drop: 'malformed', summary: 'a member of a message pack that does not decode (the other members are kept)' },

  // Field values against the standard (validate(); `odid decode --hex --validate` prints them as `issues`).
  'validation.out-of-range': { severity: 'error', group: 'validation', summary: 'a value the standard forbids or reserves, for this protocol version' },
  'validation.needs-newer-version': { severity: 'error', group: 'validation', summary: 'a value a later protocol version introduced than the one the message declares' },
  'validation.bad-serial': { severity: 'error', group: 'validation', summary: 'a serial number that fails the ANSI/CTA-2063-A check' },
  'validation.undecodable-member': { severity: 'error', group: 'validation', summary: 'a pack member that does not decode' },
  'validation.unknown-version': { severity: 'warning', group: 'validation', summary: 'a protocol version newer than known, or the private one (15)' },
  'validation.reserved-bits': { severity: 'warning', group: 'validation', summary: 'reserved bits or bytes are set' },
  'validation.reserved-in-version': { severity: 'warning', group: 'validation', summary: 'a non-zero field that the declared protocol version reserves' },
  'validation.not-printable': { severity: 'warning', group: 'validation', summary: 'text that is not printable ASCII' },
  'validation.eu-without-eu-classification': { severity: 'warning', group: 'validation', summary: 'an EU category or class without EU classification' },
  'validation.direction-byte': { severity: 'warning', group: 'validation', summary: 'a direction byte above 179 (the E/W bit is meant to add 180)' },

  // Track flags (rid-scan): the summary is the flag's text in alerts and on the map.
  'track.invalid-serial': { severity: 'error', group: 'track', summary: 'serial number is not a valid ANSI/CTA-2063-A serial' },
  'track.malformed-operator-id': { severity: 'warning', group: 'track', summary: 'operator ID is not a well-formed EU operator registration number (nor a UK CAA operator ID)' },
  'track.out-of-range': { severity: 'error', group: 'track', summary: 'a field holds a value the standard forbids' },
  'track.missing-basic-id': { severity: 'warning', group: 'track', summary: 'no Basic ID received' },
  'track.missing-location': { severity: 'warning', group: 'track', summary: 'no Location received' },
  'track.missing-system': { severity: 'warning', group: 'track', summary: 'no System message received' },
  'track.missing-operator-id': { severity: 'warning', group: 'track', summary: 'no Operator ID received (EU classification declared)' },
  'track.stale-location': { severity: 'warning', group: 'track', summary: 'position timestamp more than 1 s older than reception' },
  'track.emergency': { severity: 'error', group: 'track', summary: 'emergency declared' },
  'track.spoofing-suspect': { severity: 'error', group: 'track', summary: 'suspected spoofing' },
  // The spoofing checks, one flag each (receiver tracker/spoofing.ts); spoofing-suspect holds while any does.
  'track.impossible-motion': { severity: 'error', group: 'track', summary: 'moved faster than any drone flies' },
  'track.motion-mismatch': { severity: 'error', group: 'track', summary: 'reported speed or course disagrees with the movement between its positions' },
  'track.address-spread': { severity: 'error', group: 'track', summary: 'one ID heard from addresses of one transport at places far apart' },
  'track.address-crowd': { severity: 'error', group: 'track', summary: 'one ID heard from more addresses of one transport at once than one aircraft uses' },
  'track.id-cycling': { severity: 'error', group: 'track', summary: 'one radio address sent several UAS IDs' },
  'track.counter-backwards': { severity: 'error', group: 'track', summary: 'a message counter keeps running backwards' },
  'track.timestamp-mismatch': { severity: 'error', group: 'track', summary: 'timestamps run backwards or far from the reception time' },
  'track.operator-far': { severity: 'error', group: 'track', summary: 'operator implausibly far from the drone' },
  'track.rssi-impossible': { severity: 'error', group: 'track', summary: 'signal stronger than physics allows from the claimed position' },
  'track.position-vs-rssi': { severity: 'error', group: 'track', summary: "reported position outside the region the hub's receivers' signal strengths allow" },
  'track.dji-odid-mismatch': { severity: 'error', group: 'track', summary: 'DJI DroneID and Remote ID of one serial disagree' },
  // DRIP (rid-scan --trust): the verifier found its authentication forged; the track's drip.reason says how.
  'track.drip-forged': { severity: 'error', group: 'track', summary: 'DRIP authentication forged: a bad signature, a DET that is not its key, expired or replayed evidence, or signed messages that differ from those sent' },
} as const satisfies Record<string, DiagnosticInfo>;

export type DiagnosticId = keyof typeof DIAGNOSTICS;
/** The ids of one group: `GroupId<'capture'>` is `'capture.empty' | ...`. */
export type GroupId<G extends DiagnosticGroup> = Extract<DiagnosticId, `${G}.${string}`>;
/** Ids a link layer raises on a record it still decodes (those with a layer). */
export type LinkLayerId = { [K in DiagnosticId]: (typeof DIAGNOSTICS)[K] extends { layer: LinkLayer } ? K : never }[DiagnosticId];
/** Ids the receive path raises when a frame yields nothing (those with a drop reason). */
export type DropId = { [K in DiagnosticId]: (typeof DIAGNOSTICS)[K] extends { drop: DropReason } ? K : never }[DiagnosticId];

/** One diagnostic: what the catalogue says about its id, plus where and the words for this case. */
export interface Diagnostic<Id extends DiagnosticId = DiagnosticId> {
  id: Id;
  severity: Severity;
  group: DiagnosticGroup;
  /** Byte offset where it was found: in the capture stream, the record, or the element, as the raiser says. */
  offset?: number;
  /** Where in the decoded structure: `location.direction`, `dji.flightInfo`. */
  path?: string;
  /** For people: what and where, with the values at fault. */
  detail: string;
}

/** Where a decoder hands the diagnostics it raises, as it raises them. */
export type DiagnosticSink<Id extends DiagnosticId = DiagnosticId> = (d: Diagnostic<Id>) => void;

/** Builds a diagnostic; severity and group come from the catalogue. */
export function diagnostic<Id extends DiagnosticId>(id: Id, detail: string, where?: { offset?: number; path?: string }): Diagnostic<Id> {
  const info = diagnosticInfo(id);
  const d: Diagnostic<Id> = { id, severity: info.severity, group: info.group, detail };
  if (where?.offset !== undefined) d.offset = where.offset;
  if (where?.path) d.path = where.path;
  return d;
}

/** The catalogue entry of an id, as the plain interface (DIAGNOSTICS[id] is typed per id). */
export function diagnosticInfo(id: DiagnosticId): DiagnosticInfo {
  return DIAGNOSTICS[id];
}

export function isDiagnosticId(id: string): id is DiagnosticId {
  return Object.hasOwn(DIAGNOSTICS, id);
}

export function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}

/** Negative, zero or positive as `a` is less serious than, as serious as, or more serious than `b`. */
export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b);
}

/** Whether `s` is `min` or more serious: the filter of `--warnings LEVEL`. */
export function atLeast(s: Severity, min: Severity): boolean {
  return compareSeverity(s, min) >= 0;
}
