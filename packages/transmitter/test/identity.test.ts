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

describe('identity values from the prototype chain, null, NaN and lists', () => {
  const ID = [{ type: 'serial', value: '1581F5FHB229F00202DR' }];
  const refused = (cfg: Record<string, unknown>): string => {
    const e = fail({ ids: ID, ...cfg });
    return e.message;
  };

  it.each([
    [{ uaType: '__proto__' }, /^identity: uaType: "__proto__" is not one of none, aeroplane/],
    [{ uaType: 'constructor' }, /^identity: uaType: "constructor" is not one of/],
    [{ operatorLocation: 'constructor' }, /^identity: operatorLocation: "constructor" is not one of takeoff, live, fixed/],
    [{ selfId: { text: 'x', type: '__proto__' } }, /^identity: selfId\.type: "__proto__" is not one of text, emergency/],
    [{ eu: { category: 'constructor' } }, /^identity: eu\.category: "constructor" is not one of undeclared, open/],
    [{ eu: { class: '__proto__' } }, /^identity: eu\.class: "__proto__" is not one of undeclared, c0/],
    [{ ids: [{ type: 'constructor', value: 'x' }] }, /^identity: ids\[0\]\.type: "constructor" is not one of none, serial/],
    [{ regime: '__proto__' }, /^identity: regime: "__proto__" is not one of faa, eu, none/],
  ])('an enumerated value is looked up in its own table only: %j', (cfg, message) => {
    expect(refused(cfg)).toMatch(message);
  });

  it.each([
    [{ eu: null }, 'identity: eu: expected a mapping { category, class }, got null'],
    [{ eu: 'open' }, 'identity: eu: expected a mapping { category, class }, got "open"'],
    [{ eu: ['open'] }, 'identity: eu: expected a mapping { category, class }, got ["open"]'],
    [{ selfId: null }, 'identity: selfId: expected a text or a mapping { type, text }, got null'],
    [{ selfId: ['Survey'] }, 'identity: selfId: expected a text or a mapping { type, text }, got ["Survey"]'],
    [{ area: null }, 'identity: area: expected a mapping { count, radius, ceiling, floor }, got null'],
    [{ area: 5 }, 'identity: area: expected a mapping { count, radius, ceiling, floor }, got 5'],
    [{ operatorLocation: 'fixed', operatorPosition: null }, 'identity: operatorPosition: expected a mapping { latitude, longitude, altitude }, got null'],
    [{ operatorLocation: 'fixed', operatorPosition: [45, 7] }, 'identity: operatorPosition: expected a mapping { latitude, longitude, altitude }, got [45,7]'],
    [{ ids: [null] }, 'identity: ids[0]: expected a mapping { type: serial|caa|utm|session, value: ... }, got null'],
    [{ ids: [['serial', 'x']] }, 'identity: ids[0]: expected a mapping { type: serial|caa|utm|session, value: ... }, got ["serial","x"]'],
  ])('null or a list where a mapping belongs: %j', (cfg, message) => {
    expect(refused(cfg)).toBe(message);
  });

  it.each([
    [{ area: { radius: NaN } }, 'identity: area.radius: a number 0..2550 is required, got .nan'],
    [{ area: { ceiling: Infinity } }, 'identity: area.ceiling: a number -1000..31767.5 is required, got .inf'],
    [{ area: { floor: -Infinity } }, 'identity: area.floor: a number -1000..31767.5 is required, got -.inf'],
    [{ area: { count: 2.5 } }, 'identity: area.count: a whole number 1..65535 is required, got 2.5'],
    [{ operatorLocation: 'fixed', operatorPosition: { latitude: NaN, longitude: 7 } }, 'identity: operatorPosition.latitude: a number -90..90 is required, got .nan'],
    [{ uaType: NaN }, /^identity: uaType: \.nan is not one of/],
  ])('non-finite numbers are named as what they are (case %#)', (cfg, message) => {
    if (typeof message === 'string') expect(refused(cfg)).toBe(message);
    else expect(refused(cfg)).toMatch(message);
  });

  it('from YAML: .nan and .inf are reported as such', () => {
    expect(() => parseIdentity('ids: [{type: serial, value: 1581F5FHB229F00202DR}]\narea: { radius: .nan }\n')).toThrow('area.radius: a number 0..2550 is required, got .nan');
    expect(() => parseIdentity('ids: [{type: serial, value: 1581F5FHB229F00202DR}]\narea: { ceiling: -.inf }\n')).toThrow('got -.inf');
  });

  it.each([
    [{ regime: ['faa'] }, 'identity: regime: ["faa"] is not one of faa, eu, none'],
    [{ selfId: { text: ['Survey'] } }, 'identity: selfId.text: a non-empty string is required, got a list'],
    [{ ids: [{ type: 'serial', value: ['1581F5FHB229F00202DR'] }] }, 'identity: ids[0].value: a non-empty string is required, got a list'],
    [{ operatorId: ['FIN87astrdge12k8-xyz'] }, 'identity: operatorId: a non-empty string is required, got a list'],
    [{ operatorId: null }, 'identity: operatorId: a non-empty string is required, got null'],
  ])('a list is not a string: %j', (cfg, message) => {
    if (typeof message === 'string') expect(refused(cfg)).toBe(message);
    else expect(refused(cfg)).toMatch(message);
  });

  it('a key given with no value (YAML null) is an error, not the default', () => {
    expect(refused({ uaType: null })).toMatch(/^identity: uaType: null is not one of/);
    expect(refused({ operatorLocation: null })).toMatch(/^identity: operatorLocation: null is not one of/);
    expect(refused({ eu: { category: null } })).toMatch(/^identity: eu\.category: null is not one of/);
  });

  it('an operator ID given as something else never echoes the secret', () => {
    expect(refused({ operatorId: { id: 'FIN87astrdge12k8-xyz' } })).not.toContain('xyz');
    expect(refused({ operatorId: ['FIN87astrdge12k8-xyz'] })).not.toContain('xyz');
  });

  it('still accepts the real things', () => {
    const id = loadIdentity({ ids: ID, uaType: 'AEROPLANE', eu: { category: 'open', class: 'c2' }, area: { count: 3, radius: 100 }, selfId: { type: 'emergency', text: 'Mayday' }, regime: 'EU' });
    expect(id.regime).toBe('eu');
    expect(id.basicIds[0]!.uaType).toBe(1);
    expect(id.system).toMatchObject({ categoryEU: 1, classEU: 3, areaCount: 3, areaRadius: 100 });
    expect(id.selfId).toEqual({ descType: 1, desc: 'Mayday' });
  });
});
