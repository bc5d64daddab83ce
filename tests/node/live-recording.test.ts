/**
 * recordLive(): how the studio's Record button and a patch's /tw/record record. Examples as pipe.record
 * does; a gesture's template at the live rate (no frame-rate cap), predicting paused meanwhile and resumed.
 */
import { BehaviorSubject } from 'rxjs';
import { describe, expect, test } from 'vitest';
import { recordLive } from '../../src/outputs/live-recording';
import type { HeadKind } from '../../src/protocol/engine-options';
import type { LiveSource, Pipeline, Recording } from '../../src/streams/pipeline';

/** The parts of a pipeline recordLive uses, with what was done to it. */
function fakePipe(head: HeadKind, running: boolean) {
  const calls: string[] = [];
  let on = running;
  const pipe = {
    settings: { head },
    get running() {
      return on;
    },
    stop: () => (calls.push('stop'), (on = false)),
    start: () => (calls.push('start'), (on = true)),
    record: (target: unknown, _source: LiveSource, options?: { maxFps?: number }): Recording => {
      calls.push(`record ${String(target)} ${options?.maxFps ?? 'default'}`);
      return {
        count$: new BehaviorSubject(0),
        stop: () => (calls.push('stopped'), Promise.resolve(12)),
      };
    },
  };
  return { pipe: pipe as unknown as Pipeline, calls };
}
const video = {} as LiveSource;

describe('recordLive', () => {
  test('examples: exactly pipe.record, predicting untouched', async () => {
    const { pipe, calls } = fakePipe('dense', true);
    expect(await recordLive(pipe, 'cat', video).stop()).toBe(12);
    expect(calls).toEqual(['record cat default', 'stopped']);
  });

  test('a gesture template: predicting paused, every frame recorded, predicting resumed after the last one', async () => {
    const { pipe, calls } = fakePipe('dtw', true);
    const recording = recordLive(pipe, 'wave', video);
    expect(pipe.running).toBe(false);
    expect(await recording.stop()).toBe(12);
    expect(calls).toEqual(['stop', 'record wave Infinity', 'stopped', 'start']);
  });

  test('a gesture template while not predicting: nothing started afterwards', async () => {
    const { pipe, calls } = fakePipe('dtw', false);
    await recordLive(pipe, 'wave', video).stop();
    expect(calls).toEqual(['record wave Infinity', 'stopped']);
  });
});
