/** Ground truth for browser tests: which photo of the clip is on screen. */

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
