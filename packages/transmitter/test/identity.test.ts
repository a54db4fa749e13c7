import { describe, expect, it } from 'vitest';
import { DEMO_IDENTITY_CONFIG, IdentityError, loadIdentity, parseIdentity, regimeWarnings } from '../src/identity.js';

const fail = (cfg: unknown): IdentityError => {
  try {
    loadIdentity(cfg);
  } catch (e) {
    expect(e).toBeInstanceOf(IdentityError);
    return e as IdentityError;
  }
  throw new Error('expected the identity to be refused');
};

describe('identity configuration', () => {
  it('reads YAML and JSON alike, and keeps only the 16 public characters of an EU operator ID', () => {
    const yaml = `regime: eu\nuaType: helicopter-or-multirotor\nids:\n  - type: serial\n    value: 1581F5FHB229F00202DR\noperatorId: FIN87astrdge12k8-xyz\nselfId: Survey\neu: { category: open, class: C2 }\n`;
    const id = parseIdentity(yaml);
    expect(id.operatorId).toEqual({ operatorIdType: 0, operatorId: 'FIN87astrdge12k8' });
    expect(JSON.stringify(id)).not.toContain('xyz');
    expect(id.system).toMatchObject({ classificationType: 1, categoryEU: 1, classEU: 3 });
    expect(id.basicIds).toEqual([{ type: 'basicId', idType: 1, uaType: 2, uasId: '1581F5FHB229F00202DR' }]);
    expect(parseIdentity(JSON.stringify(DEMO_IDENTITY_CONFIG)).selfId).toEqual({ descType: 0, desc: 'Demo flight' });
  });

  it('refuses a wrong EU check character without echoing the secret', () => {
    const e = fail({ ...DEMO_IDENTITY_CONFIG, operatorId: 'FIN87astrdge12k9-xyz' });
    expect(e.field).toBe('operatorId');
    expect(e.message).not.toContain('xyz');
  });

  it.each([
    [{ ids: [{ type: 'serial', value: '1581F5FHB229F0O202DR' }] }, 'ids[0].value'],
    [{ ids: [] }, 'ids'],
    [{ ids: [{ type: 'passport', value: 'x' }] }, 'ids[0].type'],
    [{ ids: [{ type: 'utm', value: 'nope' }] }, 'ids[0].value'],
    [{ ids: [{ type: 'serial', value: '1581F5FHB229F00202DR' }], uaType: 'jet' }, 'uaType'],
    [{ ids: [{ type: 'serial', value: '1581F5FHB229F00202DR' }], selfId: 'x'.repeat(24) }, 'selfId.text'],
    [{ ids: [{ type: 'serial', value: '1581F5FHB229F00202DR' }], operatorLocation: 'fixed' }, 'operatorPosition'],
    [{ ids: [{ type: 'serial', value: '1581F5FHB229F00202DR' }], eu: { class: 'C9' } }, 'eu.class'],
  ])('refuses %j naming %s', (cfg, field) => {
    expect(fail(cfg).field).toBe(field);
  });

  it('takes UTM UUIDs and DRIP session IDs as binary IDs', () => {
    const id = loadIdentity({
      ids: [
        { type: 'utm', value: '123e4567-e89b-12d3-a456-426614174000' },
        { type: 'session', det: '2001:3f:fe00:105:a29b:3ff4:2226:c04e' },
      ],
    });
    expect(id.basicIds[0]).toMatchObject({ idType: 3, uasIdHex: '123e4567e89b12d3a456426614174000' + '00000000' });
    // RFC 9575 example: session type 1 then the DET
    expect(id.basicIds[1]).toMatchObject({ idType: 4, uasIdHex: '012001003ffe000105a29b3ff42226c04e000000' });
  });

  it('warns when the regime is not met', () => {
    const eu = loadIdentity({ regime: 'eu', ids: [{ type: 'caa', value: 'FIN-123' }] });
    const w = regimeWarnings(eu, ['ble-legacy']);
    expect(w.join('\n')).toMatch(/operator registration number/);
    expect(w.join('\n')).toMatch(/serial number/);
    expect(w.join('\n')).toMatch(/BLE 4 alone/);
    const faa = loadIdentity({ regime: 'faa', operatorLocation: 'live', ids: [{ type: 'serial', value: '1581F5FHB229F00202DR' }] });
    expect(regimeWarnings(faa, ['ble-legacy', 'ble-extended'])).toEqual([]);
    expect(regimeWarnings(faa, ['ble-legacy']).join()).toMatch(/BLE 4 and BLE 5 together/);
  });
});
