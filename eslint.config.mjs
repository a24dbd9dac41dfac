// Flat config. The domain libs stay framework-free, testable with no I/O: the restricted-imports block
// below fails the lint if tdigest, windowing or contracts reach for NestJS, Kafka or a database.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const frameworkFree = {
  patterns: [
    {
      group: ['@nestjs/*', 'kafkajs', 'pg', 'ioredis', '@streammetrics/kafka', '@streammetrics/storage'],
      message: 'Domain libs import no framework, broker or database (CONTRIBUTING.md).',
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.stack/**',
      '.cache/**',
      'coverage/**',
      '**/dashboard/web/dist/**',
      'bench/results/**',
      'bench/peers/**/target/**',
      'test/artifacts/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
        performance: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        structuredClone: 'readonly',
        queueMicrotask: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['libs/tdigest/**/*.ts', 'libs/windowing/**/*.ts', 'libs/contracts/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', frameworkFree] },
  },
  {
    // Configuration is read once, at boot: only libs/config and the scripts touch process.env.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['libs/config/**', 'apps/*/src/*.config.ts', '**/*.spec.ts', '**/*.int-spec.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through libs/config.' },
      ],
    },
  },
  {
    // The dashboard runs in the browser: it takes the API's types from the server code, never its
    // code (a type-only import is stripped by vite; a value import would ship server code).
    files: ['apps/query-api/dashboard/web/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@streammetrics/*', '**/libs/**', '@nestjs/*', 'node:*'],
              allowTypeImports: true,
              message: 'The dashboard imports server code as types only (import type).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
