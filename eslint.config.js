// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
  {
    // shared/ is pure: no Node, no DOM, no Electron. The tsconfig keeps the types out; this keeps the imports out.
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            'node:*',
            'electron',
            'react',
            'react-dom',
            'fs',
            'path',
            'os',
            'child_process',
            'net',
            'zlib',
          ],
        },
      ],
    },
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
