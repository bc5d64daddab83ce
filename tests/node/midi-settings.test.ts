/**
 * The studio's MIDI settings as a project keeps them (src/ui/app-settings.ts): a project from before MIDI opens
 * with MIDI off and the default map, a kept map comes back as it was, and a map edited by hand keeps what is valid.
 */
import { describe, expect, test } from 'vitest';
import { DEFAULT_APP_SETTINGS, readAppSettings } from '../../src/ui/app-settings';

describe('MIDI settings kept with a project', () => {
  test('a project saved before MIDI existed opens with MIDI off, the first port, channel 1 and no map of its own', () => {
    const old = { mirror: false, outputs: { ...DEFAULT_APP_SETTINGS.outputs, prefix: '/show' } };
    const settings = readAppSettings(old);
    expect(settings.midi).toEqual({ on: false, port: '', channel: 1, rate: 'every', fourteenBit: false, map: {} });
    expect(settings.outputs.prefix).toBe('/show');
    expect(settings.mirror).toBe(false);
  });

  test('a kept map comes back as it was, null (none) included', () => {
    const midi = {
      on: true,
      port: 'IAC Driver Bus 1',
      channel: 10,
      rate: '30',
      fourteenBit: true,
      map: { coffee: { cc: 1, note: 36 }, rocket: { cc: null, note: 62 }, chelsea: { note: null } },
    };
    expect(readAppSettings(JSON.parse(JSON.stringify({ midi }))).midi).toEqual(midi);
  });

  test('a map edited by hand: numbers and null are kept, anything else is left to the default', () => {
    const map = { a: { cc: '20', note: 60 }, b: 'x', c: { cc: null, note: true } };
    expect(readAppSettings({ midi: { map } }).midi.map).toEqual({ a: { note: 60 }, c: { cc: null } });
  });
});
