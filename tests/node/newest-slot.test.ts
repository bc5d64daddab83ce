/**
 * The one "newest wins" slot both threads use (src/protocol/newest-slot.ts): at most one value waits; a
 * newer one replaces it and the replaced one is dropped (its frame closed); after close() nothing is kept.
 */
import { describe, expect, it } from 'vitest';
import { NewestSlot } from '../../src/protocol/newest-slot';

function slot() {
  const dropped: [string, string][] = [];
  return { slot: new NewestSlot<string>((v, why) => dropped.push([v, why])), dropped };
}

describe('NewestSlot', () => {
  it('keeps the newest value only, and drops each one it replaces', () => {
    const { slot: s, dropped } = slot();
    expect(s.take()).toBeNull();
    s.put('a');
    s.put('b');
    s.put('c');
    expect(s.full).toBe(true);
    expect(s.take()).toBe('c');
    expect(s.take()).toBeNull();
    expect(dropped).toEqual([
      ['a', 'replaced'],
      ['b', 'replaced'],
    ]);
  });

  it('next() waits for a value, and answers the newest put before it wakes', async () => {
    const { slot: s, dropped } = slot();
    const next = s.next();
    s.put('a');
    s.put('b');
    expect(await next).toBe('b');
    expect(dropped).toEqual([['a', 'replaced']]);
  });

  it('close() drops what waits and every later value, and ends next() with null', async () => {
    const { slot: s, dropped } = slot();
    s.put('a');
    s.close();
    expect(await s.next()).toBeNull();
    s.put('late');
    expect(s.take()).toBeNull();
    expect(s.closed).toBe(true);
    expect(dropped).toEqual([
      ['a', 'closed'],
      ['late', 'closed'],
    ]);
  });

  it('close() wakes a next() that is waiting', async () => {
    const { slot: s } = slot();
    const next = s.next();
    s.close();
    expect(await next).toBeNull();
  });
});
