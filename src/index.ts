/**
 * trainwhistle: teach a webcam your own objects, poses or gestures, and stream the predictions.
 * The library entry: everything here runs on the main thread; the model runs in a worker.
 */
export { createPipeline } from './streams/pipeline';
export type { LiveSource, Pipeline, PipelineOptions, RecordOptions, Recording, StartOptions } from './streams/pipeline';
export type { EngineStart } from './streams/engine-client';
export { PIPELINE_DEFAULTS } from './streams/pipeline-defaults';

// Sources
export {
  CAMERA_DEFAULTS,
  openCamera,
  closeCamera,
  reopenCamera,
  listCameras,
  watchCamera,
  cameraState,
} from './streams/sources/camera';
export type { CameraOptions, CameraState, CameraStatus, WatchCameraOptions } from './streams/sources/camera';
export { openVideo } from './streams/sources/video';
export type { VideoOptions } from './streams/sources/video';
export { frames } from './streams/sources/frames';
export type { FrameElement, FramesOptions } from './streams/sources/frames';
export { toBitmap } from './streams/sources/picture';
export { teachableMachineFiles } from './streams/sources/teachable-machine';
export type { TeachableMachineSource } from './streams/sources/teachable-machine';
export type { ExportProgress, NamedFile, TeachableMachineReport } from './protocol/teachable';
export type { Frame, ImageInput } from './streams/sources/picture';
export { FRAME_SIZE } from './protocol/frame';
export type { Fit, PixelData } from './protocol/frame';

// Errors: each arrives from the worker as itself (`instanceof` works)
export {
  CameraError,
  ModelUnavailableError,
  NoPersonError,
  NoHandError,
  NotTrainedError,
  ProjectFileError,
  ProjectLockedError,
  StorageError,
  TeachableMachineError,
  WorkerRestartedError,
} from './protocol/errors';
export type { CameraErrorReason } from './protocol/errors';

// Projects and backends kept in the browser
export { forgetBackend } from './streams/remembered-backend';
export { listProjects, deleteProject } from './streams/projects';

// Options and what comes back
export { DEFAULT_ENGINE_OPTIONS } from './protocol/engine-options';
export type {
  AlsoKind,
  Backend,
  BackendChoice,
  EngineOptions,
  FeatureKind,
  GestureOptions,
  HeadKind,
  HeadSettings,
  HeadSettingsPatch,
  KnnOptions,
  ModelSpec,
  PartialEngineOptions,
  HandsOptions,
  PeopleOptions,
  PoseOptions,
  TrainOptions,
} from './protocol/engine-options';
export type {
  BackendReport,
  BackendTrial,
  ExampleCounts,
  ExampleInfo,
  GestureEvent,
  InitReport,
  LoadPhase,
  LoadProgress,
  ModelRate,
  ModelReport,
  Prediction,
  RawBenchmark,
  Target,
  Timings,
  TrainProgress,
  TrainReport,
} from './protocol/engine-api';
export type {
  Evaluation,
  EvaluationSet,
  ExampleQuery,
  ProjectInfo,
  ProjectProgress,
  StoredProject,
} from './protocol/project';
export type { FeatureIdentity } from './protocol/project-record';
export { KEYPOINT_NAMES, BONES } from './protocol/pose';
export type { Box, Keypoint, KeypointName, Person, Pose } from './protocol/pose';
export { HAND_BONES, HAND_KEYPOINT_NAMES, handsBySide } from './protocol/hand';
export type { Hand, HandKeypoint, HandKeypointName } from './protocol/hand';
export type { Milliseconds, NormalRange } from './protocol/units';
export type { Ingest, Metrics } from './streams/metrics';

// Operators and outputs
export * from './streams/operators';
export * from './outputs';
