/**
 * The project's own errors, for both threads, and how they cross the worker boundary as themselves.
 *
 * Comlink keeps a thrown error's name, message and stack, but rebuilds it as a plain `Error`; structured clone
 * (an error inside a report) keeps only the standard names. `carryErrors()`, run on both sides, replaces
 * comlink's handler for thrown values with one that sends every error as `SerializedError` and rebuilds it
 * with its own class, so `e instanceof NotTrainedError` works on the page as in the worker.
 */
import * as Comlink from 'comlink';

/** Prediction before the head can answer: train it first (kNN needs two labels with examples). */
export class NotTrainedError extends Error {
  override name = 'NotTrainedError';
}

/** A pose example with nobody in view: a frame to skip, not a failure of the recording. */
export class NoPersonError extends RangeError {
  override name = 'NoPersonError';
}

/** A hand-shape example with no hand in view: a frame to skip, not a failure of the recording. */
export class NoHandError extends RangeError {
  override name = 'NoHandError';
}

/** A project file that cannot be opened; the message says why and what to do. Nothing was changed. */
export class ProjectFileError extends Error {
  override name = 'ProjectFileError';
}

/** A Teachable Machine export that cannot be opened; the message says why and what to do. Nothing was changed. */
export class TeachableMachineError extends Error {
  override name = 'TeachableMachineError';
}

/** No source of the model's weights worked; the message lists each source tried and why it failed. */
export class ModelUnavailableError extends Error {
  override name = 'ModelUnavailableError';
}

/** The project is open in another tab or window. */
export class ProjectLockedError extends Error {
  override name = 'ProjectLockedError';
}

/** The browser's storage for projects cannot be used or is full. */
export class StorageError extends Error {
  override name = 'StorageError';
}

/** The engine's worker died (or stopped answering) and was replaced; `reason` says how it died. */
export class WorkerRestartedError extends Error {
  override name = 'WorkerRestartedError';
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

/**
 * Why a camera cannot be used: it could not be opened (`denied`, `absent`, `busy`, `unsupported`, `other`),
 * or it went away while in use (`ended`: unplugged, taken, permission withdrawn; `muted`: no pictures for now).
 */
export type CameraErrorReason = 'denied' | 'absent' | 'busy' | 'unsupported' | 'ended' | 'muted' | 'other';

/** No camera can be opened, or one stopped mid-run; `message` says what to do. */
export class CameraError extends Error {
  override name = 'CameraError';
  constructor(
    message: string,
    readonly reason: CameraErrorReason,
  ) {
    super(message);
  }
}

/** Every class an error may be rebuilt as, by name: the project's own and the standard ones the engine throws. */
const CLASSES: Record<string, new (message: string, reason: never) => Error> = {
  NotTrainedError,
  NoPersonError,
  NoHandError,
  ProjectFileError,
  TeachableMachineError,
  ModelUnavailableError,
  ProjectLockedError,
  StorageError,
  WorkerRestartedError,
  CameraError,
  TypeError,
  RangeError,
  SyntaxError,
  Error,
};

/** An error as plain data: what crosses the worker boundary. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** What the error's class adds (CameraError's and WorkerRestartedError's `reason`). */
  reason?: string;
}

export function serializeError(e: unknown): SerializedError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const reason = (e as { reason?: unknown }).reason;
  return {
    name: e.name,
    message: e.message,
    ...(e.stack !== undefined ? { stack: e.stack } : {}),
    ...(typeof reason === 'string' ? { reason } : {}),
  };
}

/** The error again, of its own class where it is one of ours or a standard one (else an Error of its name). */
export function reviveError(s: SerializedError): Error {
  const Class = Object.hasOwn(CLASSES, s.name) ? CLASSES[s.name]! : Error;
  const e = new Class(s.message, s.reason as never);
  if (e.name !== s.name) e.name = s.name;
  if (s.stack !== undefined) e.stack = s.stack;
  return e;
}

interface Thrown {
  value: unknown;
}

/**
 * Makes comlink send thrown errors as `SerializedError` and rebuild them with their classes. Both threads run
 * it before the first call (worker.ts, and the client that starts the worker); running it again does nothing.
 */
export function carryErrors(): void {
  const base = Comlink.transferHandlers.get('throw') as Comlink.TransferHandler<Thrown, unknown>;
  if ((base as { carriesErrors?: true }).carriesErrors) return;
  const handler = {
    carriesErrors: true as const,
    canHandle: (value: unknown): value is Thrown => base.canHandle(value),
    serialize: ({ value }: Thrown): [unknown, Transferable[]] =>
      value instanceof Error ? [{ error: serializeError(value) }, []] : base.serialize({ value }),
    deserialize(serialized: unknown): never {
      const error = (serialized as { error?: SerializedError }).error;
      if (error) throw reviveError(error);
      return base.deserialize(serialized) as never;
    },
  };
  Comlink.transferHandlers.set('throw', handler);
}
