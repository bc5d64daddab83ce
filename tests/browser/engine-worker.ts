/**
 * The engine's worker as a test reaches it, from outside, with nothing in the production bundle for it:
 * Playwright's handle on the worker runs code in the worker's own scope. From there a test makes it crash
 * (an uncaught error: the `error` event a real crash raises), stop without a word (`self.close()`), hang (a
 * busy loop: no heartbeat answered), or asks the engine for its `memory()` by speaking comlink's wire format
 * on the worker's own message port (the engine is not reachable otherwise, and the pipeline does not expose it).
 */
import type { Page, Worker } from 'playwright-core';

/** The engine's worker script in the build (tfjs may start threads of its own). */
export const ENGINE_WORKER = /\/assets\/worker-[^/]*\.js$/;

/** The engine's live worker: the newest one (a restart starts a new one; a terminated one leaves the list). */
export function engineWorker(page: Page): Worker {
  const worker = page
    .workers()
    .filter((w) => ENGINE_WORKER.test(w.url()))
    .at(-1);
  if (!worker) {
    const urls = page.workers().map((w) => w.url());
    throw new Error(`The engine's worker is not among the page's workers (${urls.join(', ') || 'none'}).`);
  }
  return worker;
}

/** Resolves once the page has a live engine worker other than `old` (the one a restart replaces). */
export async function nextEngineWorker(page: Page, old: Worker): Promise<Worker> {
  for (;;) {
    const now = page.workers().filter((w) => ENGINE_WORKER.test(w.url()) && w !== old);
    if (now.length > 0) return now.at(-1)!;
    await page.waitForEvent('worker', { predicate: (w) => ENGINE_WORKER.test(w.url()), timeout: 60_000 });
  }
}

/**
 * An uncaught error in the worker, thrown from a timer as a bug in its code would be: the `error` event a
 * crash raises on the page's Worker.
 */
export async function crash(worker: Worker): Promise<void> {
  await worker.evaluate(() => {
    setTimeout(() => {
      throw new Error('test: an uncaught error in the engine worker');
    });
  });
}

/**
 * Arms an uncaught error for when the call `method` reaches the worker: thrown by a listener of the worker's
 * messages after comlink's own listener has started the call, so that call (and any queued behind it) is
 * in flight at the crash, whatever the machine's speed.
 */
export async function crashOnCall(worker: Worker, method: string): Promise<void> {
  await worker.evaluate((method) => {
    const armed = (event: MessageEvent) => {
      const data = event.data as { type?: string; path?: string[] } | null;
      if (data?.type !== 'APPLY' || data.path?.[0] !== method) return;
      self.removeEventListener('message', armed);
      throw new Error(`test: an uncaught error in the engine worker, during ${method}()`);
    };
    self.addEventListener('message', armed);
  }, method);
}

/** The worker stops without a word (as an out-of-memory kill ends it): no `error` event, only silence. */
export async function stopSilently(worker: Worker): Promise<void> {
  await worker.evaluate(() => self.close()).catch(() => {}); // the evaluation ends with it
}

/**
 * Holds the worker's thread in a busy loop for `ms` (Infinity: until it is terminated), from a task queued
 * now; resolves with the worker's clock (ms since 1970) just before that task, so the thread answers nothing
 * from a moment no earlier than the time returned.
 */
export function hang(worker: Worker, ms: number): Promise<number> {
  return worker.evaluate((ms) => {
    setTimeout(() => {
      const until = performance.now() + ms;
      while (performance.now() < until) {
        // nothing: this thread answers nobody meanwhile
      }
    });
    return performance.timeOrigin + performance.now();
  }, ms);
}

export interface WorkerMemory {
  numTensors: number;
  numBytes: number;
  videoFrames: { received: number; closed: number };
}

/** The engine's own `memory()`, asked on the worker's port as comlink asks it; the answer is taken before it leaves. */
export function workerMemory(worker: Worker): Promise<WorkerMemory> {
  return worker.evaluate(
    () =>
      new Promise<WorkerMemory>((resolve, reject) => {
        const id = `test-memory-${Math.random()}`;
        // On a global scope, postMessage may be the scope's own property (WebIDL [Global]): kept, to put back.
        const original = Object.getOwnPropertyDescriptor(self, 'postMessage');
        const send = self.postMessage.bind(self) as (message: unknown, transfer: Transferable[]) => void;
        const post = (message: unknown, transfer?: Transferable[]) => send(message, transfer ?? []);
        const timer = setTimeout(() => reject(new Error('The engine did not answer memory() in 10 s.')), 10_000);
        self.postMessage = ((message: { id?: string; value?: WorkerMemory } | null, transfer?: Transferable[]) => {
          if (message?.id !== id) return post(message, transfer);
          if (original) Object.defineProperty(self, 'postMessage', original);
          else delete (self as { postMessage?: unknown }).postMessage; // the prototype's again
          clearTimeout(timer);
          resolve(message.value!);
        }) as typeof self.postMessage;
        self.dispatchEvent(
          new MessageEvent('message', { data: { id, type: 'APPLY', path: ['memory'], argumentList: [] } }),
        );
      }),
  );
}
