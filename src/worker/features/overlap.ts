/** How much two boxes overlap, for trackers and de-duplication: intersection over union. */
import type { Box } from '../../protocol/pose';

/** Intersection over union of two boxes: 1 for the same box, 0 for boxes apart. */
export function overlap(a: Box, b: Box): number {
  const w = Math.min(a.xMax, b.xMax) - Math.max(a.xMin, b.xMin);
  const h = Math.min(a.yMax, b.yMax) - Math.max(a.yMin, b.yMin);
  if (w <= 0 || h <= 0) return 0;
  const area = (r: Box) => (r.xMax - r.xMin) * (r.yMax - r.yMin);
  return (w * h) / (area(a) + area(b) - w * h);
}

/** The box of a centre and a width and height. */
export const centred = (cx: number, cy: number, w: number, h: number): Box => ({
  xMin: cx - w / 2,
  yMin: cy - h / 2,
  xMax: cx + w / 2,
  yMax: cy + h / 2,
});
