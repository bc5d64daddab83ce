/**
 * The figures the README states for what `npm run test:stress` measures: one place for each bound, which the
 * stress tests assert and tests/node/readme-claims.test.ts finds, word for word, in the README. Change a figure
 * here and in the README together, or the node test fails.
 */
export interface Claim {
  /** The bound the stress test asserts. */
  bound: number;
  /** The README's words for it, holding the bound's number. */
  readme: string;
}

/** Each claim by name; the stress test that measures it says which it asserts. */
export const CLAIMS = {} satisfies Record<string, Claim>;
