/**
 * Streaming DTW on sequences with known answers: a template found in a longer stream at other speeds,
 * reversed motion not matching, the band refusing implausible warps, and the cost per frame.
 */
import { describe, expect, test } from 'vitest';
import { StreamingDtw, rmsDistance, sequenceDistance } from '../../src/worker/gestures/streaming-dtw';

/** A 2-D point sweeping left to right while it bobs once, sampled at `n` frames (t = 0..1). */
const path = (n: number) =>
  Array.from({ length: n }, (_, i) => {
    const t = n === 1 ? 0 : i / (n - 1);
    return Float32Array.of(2 * t - 1, Math.sin(2 * Math.PI * t));
  });
const still = (n: number, at: Float32Array) => Array.from({ length: n }, () => at);

/** Streams frames through a template's matcher; the best match over the whole stream. */
function bestMatch(template: Float32Array[], stream: Float32Array[]) {
  const dtw = new StreamingDtw(template, rmsDistance);
  let best = { distance: Infinity, start: -1, frames: 0, end: -1 };
  stream.forEach((frame, i) => {
    const m = dtw.push(frame);
    if (m && m.distance < best.distance) best = { ...m, end: i };
  });
  return best;
}

describe('streaming DTW', () => {
  const template = path(40);

  test('finds the template inside a longer stream, where it is, at its own speed and at 0.6× and 1.8×', () => {
    for (const n of [40, 24, 72]) {
      const before = still(30, Float32Array.of(0, 0));
      const stream = [...before, ...path(n), ...still(20, Float32Array.of(0, 0))];
      const m = bestMatch(template, stream);
      expect(m.distance, `n=${n}`).toBeLessThan(0.05);
      expect(Math.abs(m.start - before.length), `n=${n}`).toBeLessThanOrEqual(2);
      expect(Math.abs(m.end - (before.length + n - 1)), `n=${n}`).toBeLessThanOrEqual(2);
    }
  });

  test('the same motion backwards, and standing still, do not match', () => {
    const backwards = [...path(40)].reverse();
    expect(bestMatch(template, backwards).distance).toBeGreaterThan(0.3);
    expect(bestMatch(template, still(80, Float32Array.of(1, 0))).distance).toBeGreaterThan(0.3);
  });

  test('the band refuses a match performed far faster or slower than taught', () => {
    expect(bestMatch(template, path(12)).distance).toBe(Infinity); // 0.3×: too few frames for 0.5–2×
    // 3×: at most 2× the template's length fits, which is only part of the motion.
    const slow = bestMatch(template, path(120)).distance;
    expect(slow).toBeGreaterThan(0.15);
    expect(slow).toBeGreaterThan(5 * bestMatch(template, path(72)).distance);
  });

  test('sequenceDistance: both ends fixed, symmetric enough to compare templates', () => {
    expect(sequenceDistance(path(50), template, rmsDistance)).toBeLessThan(0.05);
    expect(sequenceDistance([...path(40)].reverse(), template, rmsDistance)).toBeGreaterThan(0.3);
  });
});
