/**
 * The store of a pipeline without a project: every change goes to the main thread's copy (a
 * ProjectMirror, through comlink, in order), so that a new worker, after a crash, starts from it.
 */
import type * as Comlink from 'comlink';
import type { ProjectMirror } from '../../protocol/project';
import type { ProjectStore } from './store';

/** In the worker the mirror is a comlink proxy (every call a Promise); in Node tests, a plain object. */
type Mirror = ProjectMirror | Comlink.Remote<ProjectMirror>;

export function mirrorStore(mirror: Mirror): ProjectStore {
  // Calls go out in order; flush() waits for an answer, by which time every earlier call has landed.
  let last: Promise<unknown> = Promise.resolve();
  const send = (call: unknown) => (last = Promise.resolve(call).catch(() => {}));
  return {
    name: null,
    load: async () => await mirror.load(),
    saveMeta: (meta) => void send(mirror.saveMeta(meta)),
    putExamples: (examples) => void send(mirror.putExamples([...examples])),
    deleteExamples: (ids) => void send(mirror.deleteExamples([...ids])),
    putHead: (state) => void send(mirror.putHead(state)),
    putBase: () => {}, // a restarted worker is given the same export again (EngineInit.teachableMachine)
    replace: async (record) => void (await mirror.replace(record)),
    flush: async () => void (await last),
    close: async () => void (await last),
  };
}
