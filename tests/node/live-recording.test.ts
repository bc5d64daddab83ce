/**
 * recordLive(): how the studio's Record button and a patch's /tw/record record. Examples as pipe.record
 * does; a gesture's template at the live rate (no frame-rate cap), predicting paused meanwhile and resumed.
 */
import { BehaviorSubject } from 'rxjs';
import { describe, expect, test } from 'vitest';
import { recordLive } from '../../src/outputs/live-recording';
import type { HeadKind } from '../../src/protocol/engine-options';
import type { LiveSource, Pipeline, Recording } from '../../src/streams/pipeline';

/** A promise the test settles, to say when the pipeline's recording has landed its last example. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/**
 * The parts of a pipeline recordLive uses, with what was done to it. Its recording's `stop()` settles only
 * when the test says (`landed`), as a real one settles once the example in flight has landed.
 */
function fakePipe(head: HeadKind, running: boolean) {
  const calls: string[] = [];
  const landed = deferred<number>();
  const recording: Recording = {
    count$: new BehaviorSubject(0),
    stop: () => (calls.push('stop recording'), landed.promise),
  };
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
      return recording;
    },
  };
  return { pipe: pipe as unknown as Pipeline, calls, recording, landed };
}
const video = {} as LiveSource;
/** Every promise callback queued so far has run (a macrotask comes after them all). */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('recordLive', () => {
  test("examples: pipe.record's own recording, at its default rate, predicting untouched", async () => {
    const { pipe, calls, recording, landed } = fakePipe('dense', true);
    const live = recordLive(pipe, 'cat', video);
    expect(live.count$).toBe(recording.count$);
    landed.resolve(12);
    expect(await live.stop()).toBe(12);
    expect(calls).toEqual(['record cat default', 'stop recording']);
    expect(pipe.running).toBe(true);
  });

  test('a gesture template: predicting paused, every frame recorded, predicting resumed once the last one has landed', async () => {
    const { pipe, calls, recording, landed } = fakePipe('dtw', true);
    const live = recordLive(pipe, 'wave', video);
    expect(calls).toEqual(['stop', 'record wave Infinity']);
    expect(pipe.running).toBe(false);
    expect(live.count$).toBe(recording.count$);

    const stopped = live.stop();
    await settled();
    expect(calls).toEqual(['stop', 'record wave Infinity', 'stop recording']); // the last frame is still landing
    expect(pipe.running).toBe(false);
    landed.resolve(7);
    expect(await stopped).toBe(7);
    expect(calls).toEqual(['stop', 'record wave Infinity', 'stop recording', 'start']);
  });

  test('a gesture template while not predicting: nothing started afterwards', async () => {
    const { pipe, calls, landed } = fakePipe('dtw', false);
    landed.resolve(3);
    expect(await recordLive(pipe, 'wave', video).stop()).toBe(3);
    expect(calls).toEqual(['record wave Infinity', 'stop recording']);
    expect(pipe.running).toBe(false);
  });

  test('predicting started again meanwhile (a patch sent /tw/run 1) is not started twice', async () => {
    const { pipe, calls, landed } = fakePipe('dtw', true);
    const live = recordLive(pipe, 'wave', video);
    pipe.start(video);
    landed.resolve(5);
    await live.stop();
    expect(calls).toEqual(['stop', 'record wave Infinity', 'start', 'stop recording']);
  });

  test('a recording that fails as it stops still resumes predicting, and says why it failed', async () => {
    const { pipe, calls, landed } = fakePipe('dtw', true);
    const live = recordLive(pipe, 'wave', video);
    landed.reject(new Error('the worker restarted'));
    await expect(live.stop()).rejects.toThrow('the worker restarted');
    expect(calls.at(-1)).toBe('start');
    expect(pipe.running).toBe(true);
  });
});
