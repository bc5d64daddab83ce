/** Pure operators over a stream of `Prediction`s, meant to be chained: smooth → threshold → hold → labelChanges. */
export { smooth } from './smooth';
export { threshold } from './threshold';
export { HOLD_DEFAULTS, hold, type HoldOptions } from './hold';
export { labelChanges, type LabelChange } from './label-changes';
export { ONE_EURO_DEFAULTS, oneEuro, type OneEuroOptions } from './one-euro';
