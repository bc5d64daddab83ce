/**
 * Ground truth for browser tests: which photo of the clip is on screen, and which frame of its segment
 * (see tests/support/clip.ts for the strips these read).
 */

/**
 * The label whose marker colour is nearest to the video's left strip right now.
 * Self-contained (no closure, no imports) so tests can also run it in the app's page via its source.
 */
export function markerOf(video: HTMLVideoElement, markers: Record<string, [number, number, number]>): string {
  const probe = new OffscreenCanvas(8, 8).getContext('2d', { willReadFrequently: true })!;
  const strip = video.videoWidth * (80 / 640);
  probe.drawImage(video, strip * 0.25, video.videoHeight * 0.4, strip * 0.5, video.videoHeight * 0.2, 0, 0, 8, 8);
  const d = probe.getImageData(0, 0, 8, 8).data;
  const mean = [0, 0, 0];
  for (let i = 0; i < d.length; i += 4) for (let c = 0; c < 3; c++) mean[c]! += d[i + c]! / 64;
  let best = '';
  let bestDistance = Infinity;
  for (const [label, rgb] of Object.entries(markers)) {
    const distance = rgb.reduce((sum, v, c) => sum + (v - mean[c]!) ** 2, 0);
    if (distance < bestDistance) [best, bestDistance] = [label, distance];
  }
  return best;
}

/**
 * What the video shows right now, read from one snapshot of the frame: the photo (`label`, the marker colour
 * nearest to the left strip) and the frame's position in its segment (0 at the cut to the photo), from the
 * 8 black/white bands of the right strip (bit k in the k-th eighth from the top, white = 1).
 * Self-contained, like `markerOf`.
 */
export function frameTruth(
  video: HTMLVideoElement,
  markers: Record<string, [number, number, number]>,
): { label: string; position: number } {
  // 64×48: each strip is 8 pixels wide and each band 6 pixels tall, so their middles are clean.
  const probe = new OffscreenCanvas(64, 48).getContext('2d', { willReadFrequently: true })!;
  probe.drawImage(video, 0, 0, 64, 48);
  const d = probe.getImageData(0, 0, 64, 48).data;
  const at = (x: number, y: number) => [d[(y * 64 + x) * 4]!, d[(y * 64 + x) * 4 + 1]!, d[(y * 64 + x) * 4 + 2]!];
  const mean = [0, 0, 0];
  for (let y = 20; y < 28; y++) for (let x = 2; x < 6; x++) at(x, y).forEach((v, c) => (mean[c]! += v / 32));
  let label = '';
  let bestDistance = Infinity;
  for (const [name, rgb] of Object.entries(markers)) {
    const distance = rgb.reduce((sum, v, c) => sum + (v - mean[c]!) ** 2, 0);
    if (distance < bestDistance) [label, bestDistance] = [name, distance];
  }
  let position = 0;
  for (let bit = 0; bit < 8; bit++) {
    const [r, g, b] = at(60, bit * 6 + 3);
    if ((r! + g! + b!) / 3 >= 128) position |= 1 << bit;
  }
  return { label, position };
}
