/**
 * Remote ID framing: where the ODID payload ("counter byte + message or pack") sits in BLE advertising data,
 * Wi-Fi beacons and NAN frames, plus the proprietary/national Wi-Fi elements (DJI DroneID, French ID).
 * Works on bytes only; the 25-byte messages and packs are decoded by ../messages.
 */

export type { MacInput } from './_args.js';
export {
  AD_TYPE_SERVICE_DATA_16,
  LEGACY_ADV_DATA_SIZE,
  ODID_APP_CODE,
  ODID_UUID_BYTES,
  buildExtendedAdvData,
  buildLegacyAdvData,
  findOdidServiceData,
  type OdidServiceData,
} from './ble-service-data.js';
export {
  ELEMENT_ID_DS_PARAMETER_SET,
  ELEMENT_ID_SSID,
  ELEMENT_ID_SUPPORTED_RATES,
  ELEMENT_ID_VENDOR_SPECIFIC,
  OUI_ASTM_ODID,
  OUI_DJI,
  OUI_FRENCH_ID,
  OUI_PARROT,
  OUI_TYPE_FRENCH_ID,
  OUI_TYPE_ODID,
  classifyVendorElement,
  findVendorElements,
  walkElements,
  type ElementList,
  type WifiElement,
  type VendorElement,
  type VendorElementKind,
  type VendorElementList,
} from './wifi-elements.js';
export {
  DEFAULT_SUPPORTED_RATES,
  buildBeaconFrame,
  buildOdidBeaconElement,
  findOdidBeaconPayload,
  parseOdidBeaconElement,
  type BeaconFrameOptions,
  type OdidBeaconPayload,
} from './wifi-beacon.js';
export {
  NAN_ATTR_CLUSTER,
  NAN_ATTR_MASTER_INDICATION,
  NAN_ATTR_SERVICE_DESCRIPTOR,
  NAN_ATTR_SERVICE_DESCRIPTOR_EXTENSION,
  NAN_ATTR_SERVICE_ID_LIST,
  NAN_DEFAULT_CLUSTER_ID,
  NAN_NETWORK_ID,
  NAN_OUI_TYPE,
  NAN_SERVICE_ID,
  NAN_SERVICE_NAME,
  NAN_SYNC_BEACON_INTERVAL_TU,
  ODID_SERVICE_CONTROL,
  PUBLIC_ACTION_CATEGORY,
  PUBLIC_ACTION_VENDOR_SPECIFIC,
  WFA_OUI,
  buildNanActionFrameBody,
  buildNanServiceDiscoveryFrame,
  buildNanSyncBeacon,
  parseNanActionFrameBody,
  type NanOdidPayload,
  type NanServiceDiscoveryOptions,
  type NanSyncBeaconOptions,
} from './wifi-nan.js';
export {
  DJI_ALTITUDE_SCALE_FEET,
  DJI_SUBCOMMAND_BLANK,
  DJI_SUBCOMMAND_FLIGHT_INFO,
  DJI_SUBCOMMAND_FLIGHT_PURPOSE,
  parseDjiDroneId,
  parseDjiFlightInfoRecord,
  parseDjiFlightPurposeRecord,
  type DjiDecodeOptions,
  type DjiDroneIdRecord,
  type DjiFlightInfo,
  type DjiFlightInfoPartial,
  type DjiFlightInfoV1,
  type DjiFlightInfoV2,
  type DjiFlightPurpose,
  type DjiRawCommon,
  type DjiStateFlags,
} from './dji-droneid.js';
export { DJI_PRODUCT_TYPES } from './dji-products.js';
export { parseFrenchId, type FrenchId } from './french-id.js';
export type {
  ActionFramePayload,
  BleServiceDataPayload,
  OdidCarriage,
  OdidElementPayload,
  PayloadKind,
  PayloadParseOptions,
  RecordElementPayload,
  VendorElementPayload,
} from './payload-kind.js';
export { PAYLOAD_KINDS, type RecordPayload, type VendorElementDescriptor } from './payload-kinds.js';
