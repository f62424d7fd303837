// @ts-check
import eslint from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/** Import boundaries of DESIGN.md §2, as no-restricted-imports patterns per folder. */
const APPS = ['**/apps/**', '../../apps/*', '@ps/api', '@ps/worker'];
const restrict = (patterns) => ({
  'no-restricted-imports': [
    'error',
    { patterns: patterns.map((p) => ({ group: p.group, message: p.message })) },
  ],
});

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'data/**',
      'coverage/**',
      'libs/sdk/src/generated/**',
      'libs/sdk/dist/**',
      'apps/console/dist/**',
      'test-output/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Nest's DI needs value imports of injected classes: consistent-type-imports must not turn
      // constructor parameter types into type-only imports.
    },
  },
  {
    // Decorated classes: parameter types are runtime metadata for Nest's DI.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    files: ['libs/**/*.ts'],
    rules: restrict([{ group: APPS, message: 'libs never import apps.' }]),
  },
  {
    files: ['apps/api/**/*.ts'],
    rules: restrict([
      { group: ['**/apps/worker/**', '../../worker/*'], message: 'apps never import each other.' },
      {
        group: ['typeorm', 'typeorm/*'],
        message: 'Use repositories from @ps/database.',
      },
      { group: ['@langchain/*'], message: '@langchain/* is only for libs/llm.' },
    ]),
  },
  {
    files: ['apps/worker/**/*.ts'],
    rules: restrict([
      { group: ['**/apps/api/**', '../../api/*'], message: 'apps never import each other.' },
      {
        group: ['typeorm', 'typeorm/*'],
        message: 'Use repositories from @ps/database.',
      },
      { group: ['@langchain/*'], message: '@langchain/* is only for libs/llm.' },
    ]),
  },
  {
    files: [
      'libs/config/**/*.ts',
      'libs/common/**/*.ts',
      'libs/queue/**/*.ts',
      'libs/events/**/*.ts',
      'libs/evaluation/**/*.ts',
      'libs/reports/**/*.ts',
      'libs/jobs/**/*.ts',
    ],
    rules: restrict([
      { group: APPS, message: 'libs never import apps.' },
      {
        group: ['typeorm', 'typeorm/*'],
        message: 'typeorm belongs to libs/database.',
      },
      { group: ['@langchain/*'], message: '@langchain/* is only for libs/llm.' },
    ]),
  },
  {
    files: ['libs/metrics/**/*.ts', 'libs/optimizers/**/*.ts'],
    rules: restrict([
      { group: APPS, message: 'libs never import apps.' },
      {
        group: ['@nestjs/*', 'typeorm', 'typeorm/*', '@ps/database', '@langchain/*'],
        message:
          'metrics and optimizers stay plain TypeScript: no Nest, no database, no LangChain.',
      },
    ]),
  },
  {
    // The web console (React): the rules of hooks, on its own tsconfig (browser, JSX).
    files: ['apps/console/src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
  },
  {
    // Tests read JSON response bodies, which are `any` by nature.
    files: ['test/**/*.ts', '**/*.spec.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['bench/**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
      },
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        module: 'writable',
        require: 'readonly',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
  },
);
