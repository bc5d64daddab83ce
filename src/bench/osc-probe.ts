/**
 * An OSC output for one phase of the benchmark: its own address prefix, so the UDP receiver can tell
 * the phases apart, bundles timetagged with each frame's capture time, and a wait until it connects.
 */
import { filter, firstValueFrom, timeout, type Observable, type Subscription } from 'rxjs';
import { oscOutput } from '../outputs/osc-output';
import type { Output } from '../outputs/output';
import type { Prediction } from '../protocol/engine-api';

export interface OscProbe {
  prefix: string;
  /** Bundles handed to the bridge so far. */
  sent(): number;
  close(): void;
}

/**
 * Connects (within 10 s, or throws) and sends every prediction of `predictions$` as one bundle; with `pose`,
 * the keypoints too (as the app sends them: 17 messages of x, y, score and the 51 in one).
 */
export async function oscProbe(
  url: string,
  prefix: string,
  predictions$: Observable<Prediction>,
  options: { pose?: boolean } = {},
): Promise<OscProbe> {
  const output: Output = oscOutput({ url, prefix, bundle: true, pose: options.pose ?? false });
  let sent = 0;
  const state: Subscription = output.status$.subscribe((s) => (sent = s.sent));
  output.connect();
  try {
    await firstValueFrom(
      output.status$.pipe(
        filter((s) => s.status === 'connected'),
        timeout(10_000),
      ),
    );
  } catch {
    state.unsubscribe();
    output.close();
    throw new Error(
      `The OSC output could not connect to the bridge at ${url} within 10 s: is the bridge running, and does it allow this page's origin (--allow-origin ${location.origin})?`,
    );
  }
  const sub = output.attach(predictions$);
  return {
    prefix,
    sent: () => sent,
    close() {
      sub.unsubscribe();
      state.unsubscribe();
      output.close();
    },
  };
}
