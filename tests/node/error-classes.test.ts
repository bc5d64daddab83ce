/**
 * Every error class the package exports crosses the worker as itself: `serializeError` on one side and
 * `reviveError` on the other (what the comlink throw handler does) give back the same class, name, message,
 * stack and reason.
 */
import { describe, expect, test } from 'vitest';
import * as tw from '../../src/index';
import { reviveError, serializeError } from '../../src/protocol/errors';

type ErrorClass = new (message: string, reason?: never) => Error;
const CLASSES: [string, ErrorClass][] = Object.entries(tw as Record<string, unknown>)
  .filter(([name, value]) => typeof value === 'function' && name.endsWith('Error'))
  .map(([name, value]) => [name, value as ErrorClass]);

describe('error classes across the worker', () => {
  test('the package exports each of its error classes, NoHandError among them', () => {
    expect(CLASSES.map(([name]) => name).sort()).toEqual(
      [
        'CameraError',
        'ModelUnavailableError',
        'NoHandError',
        'NoPersonError',
        'NotTrainedError',
        'ProjectFileError',
        'ProjectLockedError',
        'StorageError',
        'TeachableMachineError',
        'WorkerRestartedError',
      ].sort(),
    );
  });

  test.each(CLASSES)('%s arrives as itself', (name, Class) => {
    const sent: Error = new Class('what happened, and what to do', 'other' as never);
    const arrived = reviveError(serializeError(sent));
    expect(arrived).toBeInstanceOf(Class);
    expect(arrived.name).toBe(name);
    expect(arrived.message).toBe(sent.message);
    expect(arrived.stack).toBe(sent.stack);
    expect((arrived as { reason?: unknown }).reason).toBe((sent as { reason?: unknown }).reason);
  });
});
