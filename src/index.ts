/**
 * trainwhistle: teach a webcam your own objects, poses or gestures, and stream the predictions.
 * The library entry: everything here runs on the main thread; the model runs in a worker.
 */
export { createPipeline } from './streams/pipeline';
export type { LiveSource, Pipeline, PipelineOptions, RecordOptions, Recording, StartOptions } from './streams/pipeline';
export { WorkerRestartedError } from './streams/engine-client';
export type { EngineStart } from './streams/engine-client';
export {
  openCamera,
  closeCamera,
  reopenCamera,
  listCameras,
  watchCamera,
  cameraState,
  CameraError,
} from './streams/sources/camera';
export type { CameraErrorReason, CameraOptions, CameraState, CameraStatus, WatchCameraOptions } from './streams/sources/camera';
export { openVideo } from './streams/sources/video';
export type { VideoOptions } from './streams/sources/video';
export { frames } from './streams/sources/frames';
export type { FrameElement, FramesOptions } from './streams/sources/frames';
export { toBitmap, FRAME_SIZE } from './streams/sources/picture';
export type { Frame, ImageInput } from './streams/sources/picture';
export { forgetBackend } from './streams/remembered-backend';
export { listProjects, deleteProject } from './streams/projects';
export { ProjectLockedError, StorageError } from './protocol/project-db';
export type {
  Evaluation,
  EvaluationSet,
  ExampleQuery,
  FeatureIdentity,
  HeadSettings,
  HeadSettingsPatch,
  ProjectInfo,
  ProjectProgress,
  StoredProject,
} from './protocol/project';
export type { Ingest, Metrics } from './streams/metrics';
export * from './streams/operators';
export { DEFAULT_ENGINE_OPTIONS } from './protocol/options';
export type { PartialEngineOptions } from './protocol/options';
export type {
  Backend,
  BackendChoice,
  BackendReport,
  BackendTrial,
  EngineOptions,
  ExampleCounts,
  ExampleInfo,
  HeadKind,
  InitReport,
  KnnOptions,
  LoadPhase,
  LoadProgress,
  Milliseconds,
  ModelReport,
  ModelSpec,
  NormalRange,
  PixelData,
  Prediction,
  RawBenchmark,
  Target,
  Timings,
  TrainOptions,
  TrainProgress,
  TrainReport,
} from './protocol/types';
export * from './outputs';
