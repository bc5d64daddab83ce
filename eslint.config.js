// @ts-check
/**
 * ESLint with typescript-eslint's type-aware rules (floating and misused promises are the classic bugs of
 * async UI code) and the import rules that keep the threads apart, as ../shared/STYLE.md draws them:
 * only src/worker (and the benchmark's deliberate main-thread baseline) may load tfjs; code outside
 * src/worker may import only types from it; streams never import ui; the worker imports none of the
 * main thread's folders. Formatting is Prettier's job (`npm run format`), so eslint-config-prettier
 * switches off every rule that would argue with it.
 */
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const TFJS = {
  group: ['@tensorflow/*', '@tensorflow-models/*'],
  message:
    'tfjs runs only in the worker (src/worker): the main thread must stay free. Send frames to the engine instead.',
};
const WORKER_RUNTIME = {
  group: ['**/worker/*', '!**/worker/worker'],
  allowTypeImports: true,
  message:
    "Outside src/worker, import only types from it ('import type'); what both threads need lives in src/protocol.",
};
const UI = { group: ['**/ui/*'], message: 'Data flows from streams to ui, never back (../shared/STYLE.md).' };
const MAIN_THREAD = {
  group: ['**/streams/*', '**/outputs/*', '**/ui/*', '**/bench/*'],
  message: 'The worker knows only its protocol (src/protocol); it must not import main-thread code.',
};

const restrict = (...patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  {
    ignores: ['dist/', 'dist-test*/', '.cache/', 'public/', 'test-results/', 'node_modules/', 'bench/results/'],
  },
  // A consumer's project, compiled against the built package by tests/node/package.test.ts (its own tsconfig).
  { ignores: ['tests/consumer/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js'] }, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.browser, ...globals.worker, ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  // Where each thread's code may reach.
  { files: ['src/streams/**', 'src/outputs/**', 'src/protocol/**'], rules: restrict(TFJS, WORKER_RUNTIME, UI) },
  { files: ['src/ui/**', 'src/index.ts', 'src/bench/**'], rules: restrict(TFJS, WORKER_RUNTIME) },
  { files: ['src/worker/**'], rules: restrict(MAIN_THREAD) },
  {
    // The benchmark's baseline runs the engine on the main thread on purpose, to measure what the worker
    // saves; it is loaded only by a dynamic import() (tests/browser/bundle.test.ts checks that).
    files: ['src/bench/baseline-engine.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': 'off' },
  },
  {
    // The engine's methods are the worker's comlink API (src/protocol/types.ts): each returns a Promise by
    // contract, whether or not it awaits anything today.
    files: ['src/worker/engine.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    // Plain JavaScript (Node runners, the bridge, scripts, the p5 example): typed with JSDoc and checked by
    // tsc (checkJs), where `any` from untyped JSON is normal.
    files: ['**/*.js', '**/*.mjs'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/consistent-type-imports': 'off',
    },
  },
  {
    // Tests: vitest's asymmetric matchers (expect.stringMatching, expect.any) are typed `any`.
    files: ['tests/**'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    // The examples are sketches users copy: plain browser JavaScript that imports the built package, which
    // does not exist before `npm run build`, so they are linted without type information.
    files: ['examples/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // A p5 global-mode sketch, as the p5.js web editor runs it: a plain script whose setup(), draw() and mouse
    // handlers p5 calls, with p5's functions and variables as globals (those the sketch uses).
    files: ['examples/p5-web-editor/sketch.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(
        [
          ...['createCanvas', 'createCapture', 'createButton', 'createP', 'VIDEO', 'CENTER', 'width', 'height'],
          ...['background', 'push', 'pop', 'translate', 'scale', 'image', 'noStroke', 'stroke', 'fill', 'rect'],
          ...['line', 'text', 'textSize', 'textAlign', 'mouseX', 'mouseY'],
        ].map((name) => [name, 'readonly']),
      ),
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { varsIgnorePattern: '^(preload|setup|draw|mousePressed|mouseReleased)$' },
      ],
    },
  },
  prettier,
);
