import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import prettier from 'eslint-config-prettier';

// The engine's doors: index.ts (running it), spec.ts (definition-time checks, no tfjs),
// interop/index.ts (the curvature-case format), and the two backend set-ups the worker's backend
// choice and the host's GPU preparation need.
const engineDoors = {
  regex: String.raw`(^|/)vivit/(?!(index|spec|interop/index|backend-wasm|backend-webgpu)$)`,
  message:
    'Outside src/vivit, import the engine through src/vivit/index.ts, src/vivit/spec.ts or src/vivit/interop/index.ts (add the export there).',
};
// The worker's doors for other rooms: its definition module and its backend choice.
const workerDoors = {
  regex: String.raw`(^|/)worker/(?!(definition/index|backend)$)`,
  message:
    'The CLI uses the worker through src/worker/definition/index.ts and src/worker/backend.ts only.',
};

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'node_modules/**',
      'test-results/**',
      'bench/out/**',
      'dist/**',
      '**/.tmp-*/**',
      '.tmp-*',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  // Formatting is Prettier's job: turn off the stylistic rules that would fight it.
  prettier,
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    // vue-tsc checks names; core no-undef knows no DOM types or browser globals in SFCs.
    rules: { 'no-undef': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
    },
  },
  // Room boundaries (docs/architecture.md, "Doors"): outside the engine, only its doors.
  {
    files: ['src/**/*.ts', 'src/**/*.vue'],
    ignores: ['src/vivit/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [engineDoors] }] },
  },
  // The CLI uses the worker through its doors only (the definition module, the backend choice).
  {
    files: ['src/main/cli/**/*.ts', 'src/main/cli.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [engineDoors, workerDoors] }] },
  },
  // IPC channel names live in src/protocol/ipc.ts, nowhere else.
  {
    files: ['src/main/**/*.ts', 'src/preload/**/*.ts', 'src/renderer/**/*.{ts,vue}'],
    ignores: ['src/protocol/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'Literal[value=/^vivit:/]',
          message: 'IPC channel names live in src/protocol/ipc.ts (IPC_CHANNELS).',
        },
      ],
    },
  },
);
