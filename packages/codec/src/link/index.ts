/** Link layers: captured records (radiotap, PPI, Prism, AVS, raw 802.11, BLE sniffer headers, HCI) -> radio frames. */

export type { BleAdvFrame, BleFragment, BlePduName, BlePhy, FcsStatus, LinkDiagnostic, LinkFrame, LinkResult, WifiFrame } from './types.js';
export { LINKTYPE, decodeLinkFrame, isSupportedLinkType, supportedLinkTypes, type LinkDecoder } from './decode-link.js';
export { crc32, fcsMatches } from './crc32.js';
export { BLE_ADV_CRC_INIT, BLE_CRC_LENGTH, bleCrc24, bleCrcMatches, putBleCrc, reverseBits24 } from './ble-crc.js';
export {
  RADIOTAP_FLAG_BAD_FCS,
  RADIOTAP_FLAG_FCS_AT_END,
  buildRadiotap,
  channelFromFreq,
  decodeRadiotapRecord,
  parseRadiotap,
  type RadiotapBuildOptions,
  type RadiotapInfo,
} from './radiotap.js';
export {
  MGMT_SUBTYPE,
  decodeIeee80211Record,
  parseManagementFrame,
  stripFcs,
  type FcsKnowledge,
  type ManagementHeader,
} from './ieee80211.js';
export { decodePpiRecord } from './ppi.js';
export { decodePrismRecord } from './prism.js';
export { decodeAvsRecord } from './avs.js';
export {
  BLE_ADV_ACCESS_ADDRESS,
  BLE_AUX_TYPE,
  BLE_PDU_TYPE,
  buildBleAdvPdu,
  decodeBleLlRecord,
  parseBleLlPacket,
  type BleAdvPduBuild,
  type BleLlOptions,
} from './ble-ll.js';
export {
  BLE_PHDR_FLAG,
  BLE_PHDR_LENGTH,
  BLE_PHDR_PDU,
  buildBlePhdrRecord,
  decodeBlePhdrRecord,
  indexToRfChannel,
  rfChannelToIndex,
  type BlePhdrBuild,
} from './ble-phdr.js';
export { NORDIC_PACKET_ID, decodeNordicBleRecord } from './nordic-ble.js';
export {
  HCI_EXT_PROPS,
  LE_SUBEVENT_ADVERTISING_REPORT,
  LE_SUBEVENT_EXT_ADVERTISING_REPORT,
  buildHciLeAdvertisingReport,
  buildHciLeExtAdvertisingReport,
  buildHciReportEvent,
  decodeHciH4PhdrRecord,
  decodeHciH4Record,
  decodeLinuxMonitorRecord,
  hciDirection,
  type HciBuildOptions,
  type HciExtReport,
  type HciLegacyReport,
} from './hci-h4.js';
export {
  splitHciAdvReports,
  type HciAdvReport,
  type HciAdvReportEvent,
  type HciDataStatus,
  type HciExtAdvReport,
  type HciLegacyAdvReport,
} from './hci-reports.js';
