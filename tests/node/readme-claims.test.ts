/**
 * The README's figures for floods, soak, frame path and scale are the bounds `npm run test:stress` asserts
 * (tests/stress/claims.ts): each must stand in the README as written there, with its number.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAIMS, type Claim } from '../stress/claims';
import { REPO } from '../support/paths';

const readme = readFileSync(join(REPO, 'README.md'), 'utf8').replace(/\s+/g, ' ');
const claims: [string, Claim][] = Object.entries(CLAIMS);

describe('the README states the bounds the stress run asserts', () => {
  it('has claims to check', () => {
    expect(claims.length).toBeGreaterThan(0);
  });
  it.each(claims)('%s', (_name, claim) => {
    expect(claim.readme).toContain(claim.bound.toLocaleString('en-GB'));
    expect(readme).toContain(claim.readme);
  });
});
