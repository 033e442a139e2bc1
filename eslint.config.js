// Lint, including the import boundaries between runtimes (see docs/ARCHITECTURE.md):
// code is grouped by where it runs, and nothing imports across the wrong boundary.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'fs', 'fs/promises', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http', 'net', 'url', 'util',
  'stream', 'events', 'process', 'buffer', 'module', 'readline',
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

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'release/**', 'node_modules/**', 'training/**', 'models/**', 'test-artifacts/**', '.cache/**'] },
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
    [...nodeBuiltinPatterns, 'electron', '@tensorflow/*', 'sharp', 'react', 'react-dom', 'zustand', '**/main/**', '**/renderer/**'],
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
    ['electron', '@tensorflow/*', '**/renderer/**', '**/engine/**', '**/services/**', '**/host/**', '**/electron/**', '**/worker/**', '**/cli/**', '**/eval/**'],
    'src/main/node holds plain Node helpers shared by every main-side folder: it imports only Node and src/shared.',
  ),
);
