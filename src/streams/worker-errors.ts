/**
 * Errors from the worker arrive as the classes they were thrown as. Comlink keeps an error's name,
 * message and stack but rebuilds every error as a plain Error; this turns TypeError and RangeError
 * back into themselves, so `e instanceof RangeError` works on the main thread as in the worker.
 */
import * as Comlink from 'comlink';

const CLASSES: Record<string, ErrorConstructor> = { TypeError, RangeError, SyntaxError };

export function restoreErrorClasses(): void {
  const base = Comlink.transferHandlers.get('throw')!;
  if ((base as { restoresClasses?: boolean }).restoresClasses) return;
  Comlink.transferHandlers.set('throw', {
    canHandle: (value: unknown): value is unknown => base.canHandle(value),
    serialize: (value: unknown) => base.serialize(value),
    deserialize(serialized: unknown) {
      try {
        return base.deserialize(serialized);
      } catch (e) {
        const Class = e instanceof Error ? CLASSES[e.name] : undefined;
        if (!Class) throw e;
        throw Object.assign(new Class((e as Error).message), { stack: (e as Error).stack });
      }
    },
    restoresClasses: true,
  } as Comlink.TransferHandler<unknown, unknown>);
}
