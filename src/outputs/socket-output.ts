/**
 * The part every WebSocket output shares: a reconnecting socket, state with sent/dropped counts,
 * attach and close. Each output brings only how a prediction becomes frames.
 */
import { BehaviorSubject, map, type Observable, type Subscription } from 'rxjs';
import type { Prediction } from '../protocol/engine-api';
import type { Output, OutputState } from './output';
import { ReconnectingSocket } from './reconnecting-socket';

export interface Encoder {
  /** True when this prediction is not meant to be sent at all (a rate limit, say): not a drop. */
  skip?(p: Prediction): boolean;
  /** The frames for one prediction, and what they say as text (`OutputState.last`); called only when it will be sent. */
  encode(p: Prediction): { frames: (Uint8Array | string)[]; text: string };
  /** Called on each (re)connection: forget what the other end was sent, so it gets the full state again. */
  reset?(): void;
}

export function socketOutput(name: string, url: string, encoder: Encoder): Output {
  const socket = new ReconnectingSocket(url);
  const counts: Pick<OutputState, 'sent' | 'dropped' | 'last'> = { sent: 0, dropped: 0 };
  const state$ = new BehaviorSubject<OutputState>({ status: 'disconnected', ...counts });
  const statusSub = socket.status$.pipe(map((s) => ({ ...s, ...counts }))).subscribe((s) => {
    if (s.status === 'connected') encoder.reset?.();
    state$.next(s);
  });
  const counted = () => state$.next({ ...state$.value, ...counts });
  let closed = false;
  const output: Output = {
    name: `${name} ${url}`,
    status$: state$.asObservable(),
    connect: () => socket.connect(),
    send(p) {
      if (closed || encoder.skip?.(p)) return false;
      if (!socket.open) {
        counts.dropped += 1;
        counted();
        return false;
      }
      const { frames, text } = encoder.encode(p);
      for (const frame of frames) socket.send(frame);
      counts.sent += 1;
      counts.last = text;
      counted();
      return true;
    },
    attach(predictions$: Observable<Prediction>): Subscription {
      socket.connect();
      return predictions$.subscribe((p) => output.send(p));
    },
    close() {
      if (closed) return;
      closed = true;
      statusSub.unsubscribe();
      socket.close();
      state$.next({ status: 'closed', ...counts });
      state$.complete();
    },
  };
  return output;
}
