/**
 * The worker's account of VideoFrames: each one that comes in (a camera's stream, or a frame passed to a
 * call) must be closed exactly once, here, or the camera's frame pool runs dry and its track stalls. The
 * counts let a test (and `memory()`) prove that none is left open.
 */
let received = 0;
let closed = 0;

/** Counts a VideoFrame taken in by the worker. */
export function receivedFrame(): void {
  received += 1;
}

/** Closes a VideoFrame the worker holds, once; a frame closed already is left alone. */
export function closeFrame(frame: VideoFrame): void {
  if (frame.format === null && frame.displayWidth === 0) return; // closed (or transferred) already
  frame.close();
  closed += 1;
}

/** VideoFrames taken in and closed so far; `received - closed` are held now. */
export function videoFrameCounts(): { received: number; closed: number } {
  return { received, closed };
}
