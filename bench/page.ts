/**
 * The benchmark page bench/run.mjs opens once per task, each in a fresh page so that one backend's
 * state (a main-thread tfjs from the baseline, say) never touches the next one's numbers:
 *   ?task=backend&backend=wasm&features=image|pose|people|hands|teachable-machine&raw=…&frames=…&maxMs=…&camera=…&baseline=…&osc=ws://…
 *   ?task=gestures&templates=20&frames=60&stream=3000                (the DTW head alone, in a worker)
 *   ?task=training&perLabel=50
 *   ?task=cold
 *   ?task=project&examples=5000&classes=5&project=bench-scale   (records, persists, trains, saves, opens)
 *   ?task=restore&project=bench-scale                            (in a new page: restores it, then deletes it)
 *   ?task=camera-rate&fps=120&backend=wasm&raw=…&idle=…&camera=…&osc=ws://…   (a fast camera, read in the worker)
 * Pose runs see a person (bench/people-camera.ts) instead of the fake camera's photos of things.
 * The result (or the error) lands in `window.benchResult`.
 */
import { openCamera } from '../src/streams/sources/camera';
import { measureBackend } from '../src/bench/measure-backend';
import { measureBaseline } from '../src/bench/baseline';
import { measureColdStart } from '../src/bench/cold-start';
import { measureTraining } from '../src/bench/training';
import { measureProjectRestore, measureProjectScale } from '../src/bench/project-scale';
import { measureCameraRate } from '../src/bench/camera-rate';
import type { Backend, FeatureKind } from '../src/protocol/engine-options';
import { measureGestures } from './gestures';
import { peopleCamera } from './people-camera';
import teachableMachineUrl from '../../shared/fixtures/teachable-machine/tiny-image-model.zip?url';

declare global {
  interface Window {
    benchResult?: { ok: true; value: unknown } | { ok: false; error: string };
    benchLog: string[];
  }
}

const params = new URLSearchParams(location.search);
const num = (name: string, fallback: number) => Number(params.get(name) ?? fallback);
const video = document.getElementById('camera') as HTMLVideoElement;
const people = document.getElementById('people') as HTMLVideoElement;
window.benchLog = [];
const log = (line: string) => window.benchLog.push(line);

async function run(): Promise<unknown> {
  // The fake camera plays its clip at the clip's rate; asking for it is what an app does with a fast camera.
  const fps = params.get('fps');
  const camera = openCamera({ video, ...(fps ? { frameRate: Number(fps) } : {}) });
  switch (params.get('task')) {
    case 'cold':
      return measureColdStart(camera);
    case 'training':
      return measureTraining(await camera, num('perLabel', 50));
    case 'backend': {
      const backend = params.get('backend') as Backend;
      // `teachable-machine`: image features from the real Teachable Machine export, instead of MobileNet.
      const asked = params.get('features') ?? 'image';
      const teachable = asked === 'teachable-machine';
      const features = (teachable ? 'image' : asked) as FeatureKind;
      await camera;
      const source = features === 'image' ? video : await peopleCamera(people, features);
      const osc = params.get('osc');
      const run = await measureBackend(backend, source, {
        features,
        ...(teachable ? { teachableMachine: await (await fetch(teachableMachineUrl)).blob() } : {}),
        rawMs: num('raw', 5000),
        pipelineFrames: num('frames', 2000),
        pipelineMaxMs: num('maxMs', 60_000),
        cameraMs: num('camera', 10_000),
        ...(osc ? { oscUrl: osc } : {}),
        log,
      });
      // The main-thread baseline runs MobileNet or MoveNet, not an imported model: none for one.
      const baselineMs = teachable ? 0 : num('baseline', 10_000);
      if (baselineMs > 0) {
        log(
          `${backend}${features === 'image' ? '' : ` (${features})`}: main-thread baseline for ${(baselineMs / 1000).toFixed(0)} s`,
        );
        run.baseline = await measureBaseline(backend, source, baselineMs, features);
      }
      return run;
    }
    case 'gestures':
      log(`gestures: ${num('templates', 20)} templates × ${num('frames', 60)} frames, matched in a worker`);
      return measureGestures({
        templates: num('templates', 20),
        frames: num('frames', 60),
        streamFrames: num('stream', 3000),
        warmup: 200,
      });
    case 'project':
      return measureProjectScale(await camera, {
        examples: num('examples', 5000),
        classes: num('classes', 5),
        project: params.get('project') ?? 'bench-scale',
        log,
      });
    case 'restore':
      return measureProjectRestore(await camera, params.get('project') ?? 'bench-scale');
    case 'camera-rate': {
      const osc = params.get('osc');
      return measureCameraRate(await camera, {
        backend: (params.get('backend') ?? 'wasm') as Backend,
        requestedFps: num('fps', 120),
        rawMs: num('raw', 3000),
        cameraMs: num('camera', 10_000),
        idleMs: num('idle', 3000),
        ...(osc ? { oscUrl: osc } : {}),
        log,
      });
    }
    default:
      throw new RangeError(
        `Unknown task '${params.get('task')}': use task=backend, gestures, training, cold, project, restore or camera-rate.`,
      );
  }
}

run().then(
  (value) => (window.benchResult = { ok: true, value }),
  (e: Error) => (window.benchResult = { ok: false, error: `${e.name}: ${e.message}` }),
);
