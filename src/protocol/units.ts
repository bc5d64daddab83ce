/** Units the other protocol types are written in. */

/** Milliseconds, as from `performance.now()` or a duration. */
export type Milliseconds = number;
/** A number in [0, 1]. */
export type NormalRange = number;
