// Lint, including the import boundaries between runtimes (see docs/ARCHITECTURE.md):
// code is grouped by where it runs, and nothing imports across the wrong boundary.
import js from '@eslint/js';
import { builtinRules } from 'eslint/use-at-your-own-risk';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'fs',
  'fs/promises',
  'path',
  'os',
  'child_process',
  'worker_threads',
  'crypto',
  'http',
  'net',
  'url',
  'util',
  'stream',
  'events',
  'process',
  'buffer',
  'module',
  'readline',
];
const nodeBuiltinPatterns = ['node:*', ...NODE_BUILTINS];

/**
 * Runtime imports of the engine (tfjs, the models) are for the processes that host it:
 * the worker, the CLI and evaluation. Services, the browser host and Electron main
 * may name its types (the protocol is checked against them) but never load it.
 */
function typesOnlyFromEngine(files, message) {
  return {
    files,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/engine/**', '**/engine'], message, allowTypeImports: true }] },
      ],
    },
  };
}

/** One `no-restricted-imports` rule per runtime folder. */
function boundary(files, patterns, message) {
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
    },
  };
}

// ---- The engine's entry points (issue #19) --------------------------------------------
// Code outside src/main/engine reaches the model only through its public modules, so
// encode -> optimise -> detail -> generate -> composite is chained in one place
// (src/main/engine/aging-model.ts) and nowhere else. The rule is typescript-eslint's
// no-restricted-imports registered under its own name: ESLint keeps only the last
// options given for one rule name, so under the boundaries' names these patterns would
// replace the runtime boundaries above instead of adding to them. Type imports are held
// to the same modules: the public ones re-export the types their callers need; a
// dynamic import() is checked by no-restricted-syntax, under its own name for the same reason.
const engineApi = {
  rules: {
    'no-restricted-imports': tseslint.plugin.rules['no-restricted-imports'],
    'no-restricted-syntax': builtinRules.get('no-restricted-syntax'),
  },
};

/** The engine's public modules: the model API, the engine service and its contract, the shared data types. */
const ENGINE_PUBLIC = ['aging-model', 'engine', 'api', 'types'];

/** Other engine modules code outside it may import, each for its reason. */
const ENGINE_SHARED = [
  'sequence-io', // frame I/O: plates and sequences read and written as the engine does (bench, evals, scripts)
  'backend', // the tf backend, chosen once per process before anything loads weights
  'faces', // face-api's networks: detection, landmarks, apparent age, beside the model (evals, scripts)
  'face-track', // finding and following the face in a frame as the engine does (evals)
  'measure', // the independent rulers the evaluations measure with: no part of the pipeline
  'fs-model-io', // loading other tfjs models from disk (the evaluation's age estimators)
  'shot', // the shot loop on a loaded AgingModel: bench's warm steps, measure-resume's pre-roll (not in ShotJob)
];

/**
 * Below the model API: scripts that build a model folder's networks and prototypes, or
 * probe G's prior without a face, reach the modules the folder is made of.
 */
const MODEL_BUILDERS = {
  files: [
    'scripts/import-weights.ts',
    'scripts/model-to-torch.ts',
    'scripts/build-prototypes.ts',
    'scripts/prototype-sheet.ts',
    'scripts/probe-age-prior.ts',
  ],
  modules: ['model', 'nets', 'prototypes', 'prototype-layer', 'piecewise-warp', 'pyramid'],
};

const ENGINE_ENTRY_MESSAGE =
  'Outside the engine, use its public modules: src/main/engine/aging-model.ts for the model (load, reconstruct, age), ' +
  'engine.ts, api.ts and types.ts for the engine service; eslint.config.js lists the few others open, and why.';

/** Imports of src/main/engine from `files` may name only `allowed` modules (as types or values, static or dynamic). */
function engineEntry(files, allowed, message = ENGINE_ENTRY_MESSAGE) {
  const open = allowed.map((m) => `!**/engine/${m}.js`);
  const dynamic = `ImportExpression[source.value=/\\/engine\\/(?!(${allowed.join('|')})\\.js$)/]`;
  return {
    files,
    plugins: { 'engine-api': engineApi },
    rules: {
      'engine-api/no-restricted-imports': ['error', { patterns: [{ group: ['**/engine/*', ...open], message }] }],
      'engine-api/no-restricted-syntax': ['error', { selector: dynamic, message }],
    },
  };
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'out/**',
      'release/**',
      'node_modules/**',
      'training/**',
      'models/**',
      'test-artifacts/**',
      '.cache/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  boundary(
    ['src/shared/**'],
    [
      ...nodeBuiltinPatterns,
      'electron',
      '@tensorflow/*',
      'sharp',
      'react',
      'react-dom',
      'zustand',
      '**/main/**',
      '**/renderer/**',
    ],
    'src/shared runs everywhere: it may import only src/shared (no Node, Electron, tfjs, React, main or renderer code).',
  ),
  boundary(
    ['src/renderer/**'],
    [...nodeBuiltinPatterns, 'electron', '@tensorflow/*', 'sharp', '@vladmandic/*', 'ws', '**/main/**'],
    'The renderer runs in the browser: it may import only src/shared and browser code, never engine, main or Node code.',
  ),
  boundary(
    ['src/main/engine/**', 'src/main/cli/**', 'src/main/eval/**'],
    ['electron', '**/renderer/**', '**/electron/**', '**/host/**', '**/services/**', '**/worker/**'],
    'The engine, CLI and evaluation are plain Node: no Electron, renderer, host, service or worker imports.',
  ),
  boundary(
    ['src/main/services/**', 'src/main/host/**'],
    ['electron', '**/renderer/**', '**/electron/**'],
    'Services and the browser host are plain Node: no Electron or renderer imports.',
  ),
  boundary(
    ['src/main/worker/**'],
    ['**/renderer/**', '**/electron/**', '**/host/**'],
    'The engine worker hosts the engine: no renderer, Electron-main or host imports.',
  ),
  boundary(['src/main/electron/**'], ['**/renderer/**'], 'Electron main imports no renderer code.'),
  typesOnlyFromEngine(
    ['src/main/services/**', 'src/main/host/**', 'src/main/electron/**'],
    'Services, the browser host and Electron main never load the engine (it runs in the worker): import its types only (`import type`), and shared Node helpers from src/main/node.',
  ),
  boundary(
    ['src/main/node/**'],
    [
      'electron',
      '@tensorflow/*',
      '**/renderer/**',
      '**/engine/**',
      '**/services/**',
      '**/host/**',
      '**/electron/**',
      '**/worker/**',
      '**/cli/**',
      '**/eval/**',
    ],
    'src/main/node holds plain Node helpers shared by every main-side folder: it imports only Node and src/shared.',
  ),
  // ---- the engine's entry points (see ENGINE_PUBLIC above); tests may import internals
  engineEntry(
    ['src/main/cli/**', 'src/main/eval/**', 'src/main/worker/**', 'scripts/**', 'bin/**'],
    [...ENGINE_PUBLIC, ...ENGINE_SHARED],
  ),
  engineEntry(MODEL_BUILDERS.files, [...ENGINE_PUBLIC, ...ENGINE_SHARED, ...MODEL_BUILDERS.modules]),
  // services, the browser host and Electron main name the engine's types only (the rule above): the public ones
  engineEntry(['src/main/services/**', 'src/main/host/**', 'src/main/electron/**'], ENGINE_PUBLIC),
);
