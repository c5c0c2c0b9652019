// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Import zones. The regexes match the import as written: a relative path that climbs to the
// forbidden folder (any depth), or one that names it from the repository root. src-main/engine is
// out of reach of all of shared/ through SHARED_PURE.
const SHARED_PURE = [
  {
    group: ['node:*', 'electron', 'react', 'react-dom', 'fs', 'path', 'os', 'child_process', 'net', 'zlib'],
    message: 'shared/ is pure TypeScript (no Node, Electron or React): let the host pass in what it needs.',
  },
  {
    regex: '(^|/)(src-main|src-renderer)(/|$)',
    message: 'shared/ is common to every host and may not import src-main or src-renderer.',
  },
];
const BELOW_CLASSIFY = {
  regex: '^(\\.\\./)+(shared/)?(inventory|classify|engine)(/|$)',
  message:
    'shared/protocols and shared/decode sit below classify, the inventory and the engine: emit observations, do not import them.',
};
const BELOW_ENGINE = {
  regex: '^(\\.\\./)+(shared/)?engine(/|$)',
  message:
    'shared/inventory sits below the engine: take what it needs as a parameter (see ChangeSource in shared/inventory/changes.ts).',
};
const RENDERER = {
  regex: '(^|/)src-main(/|$)',
  message: 'src-renderer may not import src-main: go through the typed contract in shared/ipc.',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'release/', '.native/', 'test-results/', 'bench/out/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // Layers: data flows one way (decode -> classify -> inventory -> engine -> hosts), and shared/ is
  // common to every host. Flat config replaces a rule's options per file rather than merging them,
  // so each zone below lists every restriction that holds for its files.
  {
    files: ['shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...SHARED_PURE] }] },
  },
  {
    files: ['shared/protocols/**/*.ts', 'shared/decode/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...SHARED_PURE, BELOW_CLASSIFY] }] },
  },
  {
    files: ['shared/inventory/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...SHARED_PURE, BELOW_ENGINE] }] },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.tsx'],
    rules: { 'no-restricted-imports': ['error', { patterns: [RENDERER] }] },
  },
  {
    // Per-packet code: on Node 20's V8, an object literal that starts with a spread and then names
    // properties ({ ...base(p), kind: 'x' }) gets a hidden class of its own every time it runs: 1.6 us
    // an object instead of 0.1, and a map kept per object. Spread last, or write the fields out.
    files: ['shared/protocols/**/*.ts', 'shared/decode/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ObjectExpression > SpreadElement:first-child + Property',
          message: 'Spread first, then properties: a hidden class per object on V8. Put the spread last.',
        },
      ],
    },
  },
  {
    // Raw IPC is wrapped once, in the typed contract; everything else goes through it.
    files: ['src-main/**/*.ts', 'src-renderer/**/*.ts', 'src-renderer/**/*.tsx'],
    ignores: ['src-main/electron/ipc.ts', 'src-main/electron/preload.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "ImportSpecifier[imported.name='ipcMain']", message: 'Use the typed IPC wrapper.' },
        { selector: "ImportSpecifier[imported.name='ipcRenderer']", message: 'Use the typed IPC wrapper.' },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
      },
    },
  },
);
