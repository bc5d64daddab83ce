/**
 * The figures the README states for what `npm run test:stress` measures: one place for each bound, which the
 * stress tests assert and tests/node/readme-claims.test.ts finds, word for word, in the README. Change a figure
 * here and in the README together, or the node test fails.
 */
export interface Claim {
  /** The bound the stress test asserts. */
  bound: number;
  /** The README's words for it, holding the bound's number. */
  readme: string;
}

/** Each claim by name; the stress test that measures it says which it asserts. */
export const CLAIMS = {
  // tests/stress/soak.test.ts: a minute of the studio predicting through three faults
  soakPredictionsPerSecond: { bound: 28, readme: 'at least 28 predictions a second at the receiver' },
  // tests/stress/scale.test.ts: a project of that many examples, recorded, trained, saved, opened, restored
  scaleExamples: { bound: 5_000, readme: '5,000-example scale' },
  scaleLongestTaskMs: { bound: 100, readme: '5,000-example scale without a main-thread task over 100 ms' },
  // tests/stress/frame-path.test.ts: the camera read in the worker, on wasm
  frameMainThreadMs: { bound: 1, readme: 'main thread ≤ 1 ms a camera frame' },
  // tests/stress/worker-heartbeat.test.ts: a worker held outside and inside a long call
  heartbeatSeconds: { bound: 5, readme: 'its heartbeat (5 s; 20 s during a long call such as training)' },
  longCallHeartbeatSeconds: { bound: 20, readme: 'its heartbeat (5 s; 20 s during a long call such as training)' },
  // tests/stress/bridge-flood.test.ts: a page's 10,000 messages a second for 10 s
  bridgePageFloodDropped: { bound: 0, readme: 'all forwarded, 0 dropped' },
  bridgePageFloodHeldPerSecond: { bound: 9_500, readme: 'at least 9,500 a second held' },
  bridgePageFloodControlP50Ms: { bound: 5, readme: 'p50 under 5 ms' },
  bridgePageFloodControlP99Ms: { bound: 25, readme: 'p99 under 25 ms' },
  bridgePageFloodMemoryMb: { bound: 150, readme: 'bridge memory at most 150 MB' },
  bridgePageFloodMemoryGrowthMb: { bound: 16, readme: 'growing less than 16 MB over the second half' },
  // tests/stress/bridge-flood.test.ts: 100 clients at a time connecting and dropping
  bridgeChurnControlP99Ms: { bound: 100, readme: 'control p99 under 100 ms' },
  bridgeChurnMemoryMb: { bound: 120, readme: 'memory at most 120 MB' },
  // tests/stress/bridge-flood.test.ts: a UDP control flood while one page never reads
  bridgeUdpFloodOscP99Ms: { bound: 75, readme: 'OSC kept flowing (p99 under 75 ms' },
  bridgeUdpFloodMemoryMb: { bound: 160, readme: 'memory at most 160 MB' },
  // tests/stress/auto-backend.test.ts: what auto's measuring adds to a start, at the default budget
  autoBudgetSeconds: { bound: 2.5, readme: 'runs a few frames on each usable backend (2.5 s at most)' },
} satisfies Record<string, Claim>;
