/**
 * The README's `createPipeline(options)` table is documentation of the defaults, which are written once, in
 * DEFAULT_ENGINE_OPTIONS and PIPELINE_DEFAULTS: each default it states must be theirs, and every option they
 * hold must be in it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_OPTIONS } from '../../src/protocol/engine-options';
import { PIPELINE_DEFAULTS } from '../../src/streams/pipeline-defaults';
import { REPO } from '../support/paths';

const README = readFileSync(join(REPO, 'README.md'), 'utf8');

/** The rows of the table under the `createPipeline(options)` heading: option name → its default cell. */
function optionsTable(): Map<string, string> {
  const start = README.indexOf('### `createPipeline(options)`: options and defaults');
  const section = README.slice(start, README.indexOf('\n### ', start + 1));
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = line.split(' | ');
    const option = /^\| `([\w.]+)`$/.exec(cells[0] ?? '')?.[1];
    if (option && cells[1] !== undefined) rows.set(option, cells[1].trim());
  }
  return rows;
}

/** A value as the README writes it: `'auto'`, `2500`, `['value']`, `{ version: 1, alpha: 0.25 }`. */
function written(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(written).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${written(v)}`)
      .join(', ')} }`;
  }
  return String(value);
}

/** Every option with a default, by dotted path, and each group (`train`, `model`…) as a whole too. */
function paths(defaults: object, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(defaults) as [string, unknown][]) {
    const path = prefix + key;
    out.set(path, value);
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      for (const [p, v] of paths(value, `${path}.`)) out.set(p, v);
  }
  return out;
}

const { recordMaxFps: _recordMaxFps, ...pipelineOptions } = PIPELINE_DEFAULTS; // record()'s, not createPipeline's
const defaults = paths({ ...DEFAULT_ENGINE_OPTIONS, ...pipelineOptions });
const table = optionsTable();

describe("the README's options table and the defaults", () => {
  it('is found, with its rows', () => {
    expect(table.size).toBeGreaterThan(20);
  });

  it.each([...table].filter(([option]) => defaults.has(option)))('%s: %s', (option, cell) => {
    expect(cell).toBe(`\`${written(defaults.get(option))}\``);
  });

  it('lists every option that has a default (itself, or the group it belongs to)', () => {
    const listed = (path: string): boolean =>
      table.has(path) || (path.includes('.') && listed(path.slice(0, path.lastIndexOf('.'))));
    const leaves = [...defaults].filter(([, v]) => v === null || typeof v !== 'object' || Array.isArray(v));
    expect(leaves.map(([path]) => path).filter((path) => !listed(path))).toEqual([]);
  });

  it('states no default for an option that has none', () => {
    const stated = [...table].filter(([option, cell]) => !defaults.has(option) && cell !== '—');
    expect(stated).toEqual([]);
  });
});
