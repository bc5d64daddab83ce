/**
 * A WebM file from VP8 frames encoded in the page (WebCodecs' VideoEncoder): every frame at the time it was
 * given, however long encoding took. MediaRecorder is no good for test videos on a loaded machine: it keeps
 * what its encoder keeps up with, so a clip drawn for 7.5 s came out 1 to 6 s long here.
 *
 * The least of Matroska a browser plays: the EBML header, the segment's info (with its duration), one VP8
 * track, and a cluster per key frame of SimpleBlocks.
 */

export interface EncodedFrame {
  /** The frame's VP8 bytes (an EncodedVideoChunk's). */
  data: Uint8Array;
  /** Its presentation time, µs from the start. */
  timestampUs: number;
  key: boolean;
}

export function webm(
  frames: readonly EncodedFrame[],
  size: { width: number; height: number },
  durationMs: number,
): Buffer {
  const clusters: Buffer[] = [];
  let cluster: { start: number; blocks: Buffer[] } | null = null;
  const close = () => {
    if (cluster) clusters.push(element(0x1f43b675, Buffer.concat([uint(0xe7, cluster.start), ...cluster.blocks])));
  };
  for (const frame of frames) {
    const ms = Math.round(frame.timestampUs / 1000);
    if (frame.key || !cluster || ms - cluster.start > 30_000) {
      close();
      cluster = { start: ms, blocks: [] };
    }
    const header = Buffer.alloc(4);
    header[0] = 0x81; // track 1
    header.writeInt16BE(ms - cluster.start, 1);
    header[3] = frame.key ? 0x80 : 0;
    cluster.blocks.push(element(0xa3, Buffer.concat([header, frame.data])));
  }
  close();
  const ebml = element(
    0x1a45dfa3,
    Buffer.concat([
      uint(0x4286, 1),
      uint(0x42f7, 1),
      uint(0x42f2, 4),
      uint(0x42f3, 8),
      element(0x4282, Buffer.from('webm')),
      uint(0x4287, 2),
      uint(0x4285, 2),
    ]),
  );
  const duration = Buffer.alloc(8);
  duration.writeDoubleBE(durationMs);
  const info = element(
    0x1549a966,
    Buffer.concat([
      uint(0x2ad7b1, 1_000_000),
      element(0x4489, duration),
      element(0x4d80, Buffer.from('trainwhistle tests')),
    ]),
  );
  const video = element(0xe0, Buffer.concat([uint(0xb0, size.width), uint(0xba, size.height)]));
  const track = element(
    0xae,
    Buffer.concat([uint(0xd7, 1), uint(0x73c5, 1), uint(0x83, 1), element(0x86, Buffer.from('V_VP8')), video]),
  );
  const segment = element(0x18538067, Buffer.concat([info, element(0x1654ae6b, track), ...clusters]));
  return Buffer.concat([ebml, segment]);
}

/** An EBML element: its id (marker bits included, as the spec writes them), its size, its bytes. */
function element(id: number, body: Buffer): Buffer {
  const idBytes = Buffer.from(
    id.toString(16).padStart(id > 0xffffff ? 8 : id > 0xffff ? 6 : id > 0xff ? 4 : 2, '0'),
    'hex',
  );
  return Buffer.concat([idBytes, size(body.length), body]);
}

/** An unsigned integer element, in as few bytes as it needs. */
function uint(id: number, value: number): Buffer {
  const hex = value.toString(16);
  return element(id, Buffer.from(hex.padStart(hex.length + (hex.length % 2), '0'), 'hex'));
}

/** A size as an EBML variable-length integer (8 bytes: always long enough, and valid). */
function size(n: number): Buffer {
  const out = Buffer.alloc(8);
  out[0] = 0x01;
  out.writeUIntBE(n, 2, 6);
  return out;
}
