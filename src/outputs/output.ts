/**
 * One interface for every output (OSC, Wekinator, WebSocket JSON): it connects, sends predictions,
 * reports its state, and closes. Real-time data is never queued: a prediction that cannot be sent
 * now is dropped and counted.
 */
import type { Observable, Subscription } from 'rxjs';
import type { Prediction } from '../protocol/engine-api';

export type OutputStatus = 'connecting' | 'connected' | 'disconnected' | 'closed';

export interface OutputState {
  status: OutputStatus;
  /** Predictions sent since the output was made. */
  sent: number;
  /** Predictions dropped because the output was not connected. */
  dropped: number;
  /** Why the last connection attempt failed or closed, for the user. */
  reason?: string;
  /**
   * What was sent last, as a person reads it: OSC messages one a line, each its address and values
   * (`/tw/label "cat"`, `/tw/confidences 0.910 0.090`), or the JSON text. Absent until something is sent.
   */
  last?: string;
}

export interface Output {
  /** e.g. `osc ws://127.0.0.1:8080` */
  readonly name: string;
  /** The state now, then every change of status or count (subscribers get the current state at once). */
  readonly status$: Observable<OutputState>;
  /** Starts connecting (and reconnecting with backoff until closed). Idempotent. */
  connect(): void;
  /** Sends one prediction now if connected; returns false (and counts a drop) if not. */
  send(prediction: Prediction): boolean;
  /** Connects and sends every prediction of `predictions$` (after whatever operators you chose). */
  attach(predictions$: Observable<Prediction>): Subscription;
  /** Stops sending, disconnects, and completes `status$`. Nothing is sent after this. */
  close(): void;
}
