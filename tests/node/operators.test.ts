import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { HOLD_DEFAULTS, hold, labelChanges, smooth, threshold, type LabelChange } from '../../src/streams/operators';
import type { Prediction } from '../../src/protocol/engine-api';
import { REPO } from '../support/paths';

const timings = { fromPixels: 0, infer: 0, head: 0, total: 0 };

/** A classification prediction; confidences are dyadic fractions so averages compare exactly. */
function pred(label: string, confidences: Record<string, number>, t = 0): Prediction {
  return { label, confidences, t, latencyMs: 0, timings, tensors: 0 };
}

function regression(values: Record<string, number>, t = 0): Prediction {
  return { label: '', confidences: {}, values, t, latencyMs: 0, timings, tensors: 0 };
}

/** The change `prediction` makes from `previous`, with the confidence the test expects it to carry. */
function change(prediction: Prediction, previous: string | null, confidence: number | null): LabelChange {
  return { label: prediction.label, previous, t: prediction.t, confidence, prediction };
}

let testScheduler: TestScheduler;

beforeEach(() => {
  testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

describe('smooth', () => {
  const a = pred('cat', { cat: 1, dog: 0 });
  const b = pred('dog', { cat: 0, dog: 1 });

  it('averages confidences with weight alpha on the newest and re-picks the label', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-b-|', { a, b });
      const expected = '    -A-B-C-|';
      const subs = '       ^------!';
      expectObservable(source.pipe(smooth(0.5))).toBe(expected, {
        A: pred('cat', { cat: 1, dog: 0 }),
        // A tie goes to the first label in label order.
        B: pred('cat', { cat: 0.5, dog: 0.5 }),
        C: pred('dog', { cat: 0.25, dog: 0.75 }),
      });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('weighs the newest value 0.5 when alpha is not given', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('-a-b-b-|', { a, b });
      const expected = '    -A-B-C-|';
      expectObservable(source.pipe(smooth())).toBe(expected, {
        A: pred('cat', { cat: 1, dog: 0 }),
        B: pred('cat', { cat: 0.5, dog: 0.5 }),
        C: pred('dog', { cat: 0.25, dog: 0.75 }),
      });
    });
  });

  it('passes values through when alpha is 1', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('-a-b-|', { a, b });
      const expected = '    -a-b-|';
      expectObservable(source.pipe(smooth(1))).toBe(expected, { a, b });
    });
  });

  it('starts a new label at its value and drops a label that disappears', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('-a-b-c-|', {
        a: pred('cat', { cat: 1 }),
        b: pred('cat', { cat: 0, dog: 1 }),
        c: pred('dog', { dog: 0.5 }),
      });
      const expected = '    -A-B-C-|';
      expectObservable(source.pipe(smooth(0.5))).toBe(expected, {
        A: pred('cat', { cat: 1 }),
        B: pred('dog', { cat: 0.5, dog: 1 }),
        C: pred('dog', { dog: 0.75 }),
      });
    });
  });

  it("averages regression values and keeps the label ''", () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('-a-b-|', { a: regression({ x: 0, y: 1 }, 10), b: regression({ x: 1, y: 1 }, 20) });
      const expected = '    -A-B-|';
      expectObservable(source.pipe(smooth(0.25))).toBe(expected, {
        A: regression({ x: 0, y: 1 }, 10),
        B: regression({ x: 0.25, y: 1 }, 20),
      });
    });
  });

  it('keeps a separate average for each subscriber', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('  -a-b-b-|', { a, b });
      const early = '       ^-------';
      const late = '        ----^---';
      const fromStart = '   -A-B-C-|';
      const fromLate = '    -----b-|';
      const smoothed = source.pipe(smooth(0.5));
      const values = {
        A: pred('cat', { cat: 1, dog: 0 }),
        B: pred('cat', { cat: 0.5, dog: 0.5 }),
        C: pred('dog', { cat: 0.25, dog: 0.75 }),
        b,
      };
      expectObservable(smoothed, early).toBe(fromStart, values);
      expectObservable(smoothed, late).toBe(fromLate, values);
    });
  });

  it('propagates errors', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('-a-#', { a }, new Error('camera lost'));
      const expected = '    -a-#';
      expectObservable(source.pipe(smooth())).toBe(expected, { a }, new Error('camera lost'));
    });
  });

  it('unsubscribes from the source', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-b-b-|', { a, b });
      const unsub = '     ^----!    ';
      const expected = '  -A-B-     ';
      const subs = '      ^----!    ';
      expectObservable(source.pipe(smooth(0.5)), unsub).toBe(expected, {
        A: pred('cat', { cat: 1, dog: 0 }),
        B: pred('cat', { cat: 0.5, dog: 0.5 }),
      });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('rejects alpha outside (0, 1] with a RangeError', () => {
    expect(() => smooth(0)).toThrow(RangeError);
    expect(() => smooth(1.5)).toThrow(/alpha must be in \(0, 1\], got 1.5/);
    expect(() => smooth(Number.NaN)).toThrow(RangeError);
  });
});

describe('threshold', () => {
  const sure = pred('cat', { cat: 0.75, dog: 0.25 });
  const edge = pred('cat', { cat: 0.6, dog: 0.4 });
  const unsure = pred('dog', { cat: 0.5, dog: 0.5 });
  const values = regression({ x: 0.25 });

  it('relabels a winner below minConfidence and leaves confidences untouched', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-s-e-u-r-|', { s: sure, e: edge, u: unsure, r: values });
      const expected = '    -s-e-U-r-|';
      const subs = '       ^--------!';
      expectObservable(source.pipe(threshold())).toBe(expected, {
        s: sure,
        e: edge,
        U: pred('unknown', { cat: 0.5, dog: 0.5 }),
        r: values,
      });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('uses the given minConfidence and unknownLabel', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('-s-u-|', { s: sure, u: unsure });
      const expected = '    -S-U-|';
      expectObservable(source.pipe(threshold(0.8, 'nothing'))).toBe(expected, {
        S: pred('nothing', { cat: 0.75, dog: 0.25 }),
        U: pred('nothing', { cat: 0.5, dog: 0.5 }),
      });
    });
  });

  it('propagates errors', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('-u-#', { u: unsure }, new Error('engine died'));
      const expected = '    -U-#';
      expectObservable(source.pipe(threshold())).toBe(
        expected,
        { U: pred('unknown', unsure.confidences) },
        new Error('engine died'),
      );
    });
  });

  it('unsubscribes from the source', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-s-u-s-|', { s: sure, u: unsure });
      const unsub = '     ^--!    ';
      const expected = '  -s-     ';
      const subs = '      ^--!    ';
      expectObservable(source.pipe(threshold()), unsub).toBe(expected, { s: sure });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('rejects a minConfidence outside [0, 1] or an empty unknownLabel with a RangeError', () => {
    expect(() => threshold(-0.1)).toThrow(RangeError);
    expect(() => threshold(60)).toThrow(/must be in \[0, 1\], got 60/);
    expect(() => threshold(0.5, '')).toThrow(RangeError);
  });
});

describe('hold', () => {
  const c = pred('cat', { cat: 0.75, dog: 0.25 });
  const d = pred('dog', { cat: 0.25, dog: 0.75 });
  const b = pred('bird', { bird: 1 });
  /** `prediction` as emitted while `label` is still the stable one. */
  const held = (prediction: Prediction, label: string): Prediction => ({ ...prediction, label });
  const at = (prediction: Prediction, t: number): Prediction => ({ ...prediction, t });

  it('switches only after 3 consecutive predictions by default, keeping confidences live', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-c-d-d-d-c-|', { c, d });
      const expected = '    -c-x-x-d-y-|';
      const subs = '       ^----------!';
      expectObservable(source.pipe(hold())).toBe(expected, { c, d, x: held(d, 'cat'), y: held(c, 'dog') });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('restarts the count when the candidate is interrupted', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('-c-d-d-c-d-b-d-d-d-|', { c, d, b });
      const expected = '    -c-x-x-c-x-z-x-x-d-|';
      expectObservable(source.pipe(hold({ frames: 3 }))).toBe(expected, {
        c,
        d,
        x: held(d, 'cat'),
        z: held(b, 'cat'),
      });
    });
  });

  it('switches at once with frames: 1', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('-c-d-c-|', { c, d });
      const expected = '    -c-d-c-|';
      expectObservable(source.pipe(hold({ frames: 1 }))).toBe(expected, { c, d });
    });
  });

  it("measures ms on the predictions' t, not the clock", () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('-a-b-e-f-|', { a: at(c, 0), b: at(d, 50), e: at(d, 100), f: at(d, 120) });
      const expected = '    -a-B-E-F-|';
      expectObservable(source.pipe(hold({ ms: 50 }))).toBe(expected, {
        a: at(c, 0),
        B: held(at(d, 50), 'cat'),
        E: at(d, 100),
        F: at(d, 120),
      });
    });
  });

  it('requires both frames and ms when both are given', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('-a-b-e-f-g-|', {
        a: at(c, 0),
        b: at(d, 10),
        e: at(d, 20),
        f: at(d, 110),
        g: at(d, 111),
      });
      const expected = '    -a-B-E-F-g-|';
      expectObservable(source.pipe(hold({ frames: 4, ms: 100 }))).toBe(expected, {
        a: at(c, 0),
        B: held(at(d, 10), 'cat'),
        E: held(at(d, 20), 'cat'),
        // 100 ms have passed, but this is only the third frame.
        F: held(at(d, 110), 'cat'),
        g: at(d, 111),
      });
    });
  });

  it('propagates errors', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('-c-d-#', { c, d }, new Error('engine died'));
      const expected = '    -c-x-#';
      expectObservable(source.pipe(hold())).toBe(expected, { c, x: held(d, 'cat') }, new Error('engine died'));
    });
  });

  it('unsubscribes from the source', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-c-d-d-d-|', { c, d });
      const unsub = '     ^----!    ';
      const expected = '  -c-x-     ';
      const subs = '      ^----!    ';
      expectObservable(source.pipe(hold()), unsub).toBe(expected, { c, x: held(d, 'cat') });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it("the README's Operators table states HOLD_DEFAULTS", () => {
    const row = readFileSync(join(REPO, 'README.md'), 'utf8')
      .split('\n')
      .find((line) => line.startsWith('| `hold('))!;
    expect(row).toContain(`| \`{ frames: ${HOLD_DEFAULTS.frames} }\` |`);
    expect(HOLD_DEFAULTS.ms).toBe(0); // so the table need not name it
  });

  it('rejects bad frames or ms with a RangeError', () => {
    expect(() => hold({ frames: 0 })).toThrow(RangeError);
    expect(() => hold({ frames: 1.5 })).toThrow(/frames must be an integer ≥ 1, got 1.5/);
    expect(() => hold({ ms: -1 })).toThrow(RangeError);
    expect(() => hold({ ms: Number.NaN })).toThrow(RangeError);
  });
});

describe('labelChanges', () => {
  const c = pred('cat', { cat: 0.75, dog: 0.25 }, 1);
  const c2 = pred('cat', { cat: 1, dog: 0 }, 2);
  const d = pred('dog', { cat: 0.25, dog: 0.75 }, 3);
  const u = pred('unknown', { cat: 0.5, dog: 0.5 }, 4);
  const c3 = pred('cat', { cat: 0.75, dog: 0.25 }, 5);

  it('emits once per switch, the first with previous null', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-d-u-e-|', { a: c, b: c2, d, u, e: c3 });
      const expected = '    -A---D-U-E-|';
      const subs = '       ^----------!';
      expectObservable(source.pipe(labelChanges())).toBe(expected, {
        A: { label: 'cat', previous: null, t: 1, confidence: 0.75, prediction: c },
        D: { label: 'dog', previous: 'cat', t: 3, confidence: 0.75, prediction: d },
        // 'unknown' has no score of its own.
        U: { label: 'unknown', previous: 'dog', t: 4, confidence: null, prediction: u },
        E: change(c3, 'unknown', 0.75),
      });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('propagates errors', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('-a-b-#', { a: c, b: c2 }, new Error('engine died'));
      const expected = '    -A---#';
      expectObservable(source.pipe(labelChanges())).toBe(
        expected,
        { A: change(c, null, 0.75) },
        new Error('engine died'),
      );
    });
  });

  it('unsubscribes from the source', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-d-a-|', { a: c, d });
      const unsub = '     ^----!  ';
      const expected = '  -A-D-   ';
      const subs = '      ^----!  ';
      expectObservable(source.pipe(labelChanges()), unsub).toBe(expected, {
        A: change(c, null, 0.75),
        D: change(d, 'cat', 0.75),
      });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });
});

describe('the operators chained', () => {
  it('turn noisy predictions into steady label changes', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const c = pred('cat', { cat: 1, dog: 0 });
      const d = pred('dog', { cat: 0, dog: 1 });
      // Smoothed cat confidence 1, .5, .75, .375, .1875 → thresholded cat, unknown, cat, dog, dog; hold
      // drops the one-frame unknown and switches on the second dog.
      const source = cold('-c-d-c-d-d-d-|', { c, d });
      const expected = '    -A-------B---|';
      const changes = source.pipe(smooth(0.5), threshold(0.6), hold({ frames: 2 }), labelChanges());
      expectObservable(changes).toBe(expected, {
        A: change(c, null, 1),
        B: change(pred('dog', { cat: 0.1875, dog: 0.8125 }), 'cat', 0.8125),
      });
    });
  });
});
