/**
 * What crosses the worker boundary about a Teachable Machine model: its files as given, and what the engine
 * read from them. Types only.
 */

/** A file as given: its name and its bytes (a Teachable Machine export's zip, or one of its three files). */
export interface NamedFile {
  name: string;
  bytes: Uint8Array;
}

/** A Teachable Machine image model the pipeline runs, as its metadata describes it (`InitReport.teachableMachine`). */
export interface TeachableMachineReport {
  modelName: string;
  /** Its classes, in the order of its outputs. */
  labels: string[];
  /** The side of the square picture it takes in (224; 96 for some "tiny" models). */
  imageSize: number;
  /** One channel in: a "tiny" model, which sees the picture in grey. */
  grayscale: boolean;
  /** `@teachablemachine/image`'s version that made it (2020 on), or `tmSupportVersion` (2019). */
  version: string;
  /** Length of its base's features (1280 for MobileNetV2). */
  featureSize: number;
}

/** How far `exportModel()` is: loading Teachable Machine's base, embedding the examples' pictures, training, writing the zip. */
export interface ExportProgress {
  phase: 'base' | 'reembed' | 'train' | 'write';
  fraction: number;
}
