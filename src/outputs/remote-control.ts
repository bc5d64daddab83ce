/**
 * Lets a Max, TouchDesigner or Pd patch drive a whole session: record, train, run, clear — with
 * trainwhistle's addresses or Wekinator's, so Wekinator patches work unchanged.
 */
import type { Observable } from 'rxjs';
import type { LiveSource, Pipeline, Recording } from '../streams/pipeline';
import type { Target } from '../protocol/engine-api';
import type { ControlCommand } from './control';
import { recordLive } from './live-recording';

export interface RemoteControlEvents {
  /** A command was carried out (for the UI to show). */
  onCommand?(command: ControlCommand): void;
  /** A command failed (say, train with one label); the message says what to do. */
  onError?(error: Error): void;
}

/** A running remote control; `close()` stops taking commands and ends the recordings it started. */
export interface RemoteControl {
  close(): void;
}

/**
 * Carries out commands on `pipe`, recording from and running on `source`.
 * @example const remote = remoteControl(pipe, video, controlInput().commands$); … remote.close();
 */
export function remoteControl(
  pipe: Pipeline,
  source: LiveSource,
  commands$: Observable<ControlCommand>,
  events: RemoteControlEvents = {},
): RemoteControl {
  const recordings = new Map<string, Recording>();
  // Wekinator records "the current outputs": class number n → the n-th label, or regression values.
  let target: Target | null = null;
  const key = (t: Target) => (typeof t === 'string' ? t : JSON.stringify(t));

  const startRecording = (t: Target) => {
    if (!recordings.has(key(t))) recordings.set(key(t), recordLive(pipe, t, source));
  };
  const stopRecording = (t?: Target) => {
    for (const [k, r] of recordings)
      if (t === undefined || k === key(t)) {
        void r.stop();
        recordings.delete(k);
      }
  };
  const fail = (e: unknown) => events.onError?.(e instanceof Error ? e : new Error(String(e)));

  /**
   * Class number n (Wekinator's way) → the n-th class. Missing classes are added, named by their numbers,
   * until there are n: `outputs 2` before any class exists makes "1" and "2", so the numbers stay the
   * ones the patch uses, in every message back (`/wek/outputs`) too.
   */
  const targetFrom = async (values: number[]): Promise<Target> => {
    if (pipe.info.head === 'regression') {
      return Object.fromEntries(pipe.info.outputs.map((name, i) => [name, Math.min(1, Math.max(0, values[i] ?? 0))]));
    }
    const n = Math.round(values[0]!);
    if (!(n >= 1)) throw new RangeError(`Wekinator class numbers start at 1 (got ${values[0]}).`);
    const labels = Object.keys((await pipe.counts()).perLabel);
    for (let i = labels.length + 1; i <= n; i++) {
      const name = labels.includes(String(i)) ? `class ${i}` : String(i);
      await pipe.addLabel(name);
      labels.push(name);
    }
    return labels[n - 1]!;
  };

  const handle = async (command: ControlCommand): Promise<void> => {
    events.onCommand?.(command);
    switch (command.kind) {
      case 'record':
        if (command.on) startRecording(command.label);
        else stopRecording(command.label);
        return;
      case 'recordTarget':
        if (!command.on) return stopRecording();
        if (target === null)
          throw new Error(
            'Wekinator startRecording needs a target first: send /wekinator/control/outputs <class number or values>.',
          );
        return startRecording(target);
      case 'target':
        target = await targetFrom(command.values);
        return;
      case 'train': {
        // Training while predicting would compete for the worker; pick up again after if it was running.
        const wasRunning = pipe.running;
        stopRecording();
        pipe.stop();
        await pipe.train();
        if (wasRunning) pipe.start(source);
        return;
      }
      case 'run':
        if (command.on) pipe.start(source);
        else pipe.stop();
        return;
      case 'clear':
        await pipe.clearLabel(command.label);
        return;
      case 'clearAll':
        await pipe.clearExamples();
        return;
    }
  };

  // One command at a time, in the order the patch sent them: `outputs 2` then `startRecording` must record
  // class 2 even when finding class 2 takes a round trip to the worker.
  let queue: Promise<void> = Promise.resolve();
  const subscription = commands$.subscribe((command) => {
    queue = queue.then(() => handle(command)).catch(fail);
  });
  return {
    close() {
      subscription.unsubscribe();
      stopRecording();
    },
  };
}
