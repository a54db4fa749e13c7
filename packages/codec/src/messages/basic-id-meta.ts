/** Basic ID's table (see meta.ts): ID type and UA type names (remote-id-spec.md §2.1), the UAS ID field. */

import { PROTOCOL_VERSION, enumName, type EnumMeta, type MessageMeta } from './meta.js';
import { MessageType, type BasicIdMessage } from './types.js';

export const UAS_ID_SIZE = 20;

export const ID_TYPE: EnumMeta = {
  names: ['none', 'serial number (ANSI/CTA-2063-A)', 'CAA registration ID', 'UTM-assigned UUID', 'specific session ID'],
  max: 15,
};

export const UA_TYPE: EnumMeta = {
  names: [
    'none',
    'aeroplane',
    'helicopter or multirotor',
    'gyroplane',
    'hybrid lift (VTOL)',
    'ornithopter',
    'glider',
    'kite',
    'free balloon',
    'captive balloon',
    'airship',
    'free fall / parachute',
    'rocket',
    'tethered powered aircraft',
    'ground obstacle',
    'other',
  ],
  max: 15,
};

/** The F3411 name of a UA type (0..15); undefined for anything else. */
export const uaTypeName = (uaType: number): string | undefined => enumName(UA_TYPE, uaType);

export const BASIC_ID_META: MessageMeta<BasicIdMessage> = {
  type: 'basicId',
  messageType: MessageType.basicId,
  name: 'Basic ID',
  fields: {
    protocolVersion: PROTOCOL_VERSION,
    idType: { enum: ID_TYPE },
    uaType: { enum: UA_TYPE },
    uasId: { size: UAS_ID_SIZE },
    // ID types 3 and 4 are binary: the decoder adds the raw bytes as hex.
    uasIdHex: { size: UAS_ID_SIZE, optional: true },
  },
};
