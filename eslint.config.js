import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Import rules match the import's text, not the resolved file: a relative path through a folder of that name.
const through = (folders) => `^(\\.{1,2}/)+(.*/)?(${folders})(/|$)`;
const NO_NODE = { group: ['node:*'], message: 'core/ is pure: no Node modules (it runs in the browser too).' };
const NO_SERVER_OR_WEB = { regex: through('server|web'), message: 'core/ imports nothing from server/ or web/: the rules are shared by both.' };
const NO_DB = { regex: through('db'), message: 'Routes stay thin: the database is reached through a use case (server/usecases/), never from a route.' };
const NO_USECASES = {
  regex: through('usecases'),
  message: 'server/auth/ sits below the use cases: move what it needs into a module below both (as server/audit.ts).',
};
const NO_TEST_CODE = {
  regex: through('testing|e2e'),
  message:
    'Production code never imports test helpers (server/testing/) or browser journeys (e2e/); move what it needs into a production module (as server/demo/forms.ts).',
};
/** Production code: the server and the web app, without tests and test helpers. */
const PRODUCTION = ['server/**/*.ts', 'web/src/**/*.{ts,tsx}'];
const TESTS_AND_HELPERS = ['**/*.test.ts', '**/*.test.tsx', 'server/testing/**'];

export default tseslint.config(
  { ignores: ['node_modules', 'web/dist', 'data', 'server/db/migrations', 'coverage', '.tmp'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Every text field is core/text.ts's `text(label)`, which refuses NUL, control characters and lone
    // surrogates with a message naming the field; a bare z.string() would let them reach the database.
    files: ['core/**/*.ts', 'server/**/*.ts', 'web/src/**/*.{ts,tsx}'],
    ignores: ['core/text.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.object.name='z'][callee.property.name='string'], MemberExpression[object.object.name='z'][object.property.name='coerce'][property.name='string']",
          message: 'Use text(label) from core/text.ts for every text field (it refuses untypeable characters, naming the field).',
        },
      ],
    },
  },
  // Layering (docs/ARCHITECTURE.md): route → use case → core rule → database, and no test code in production.
  // ESLint applies the last matching block's `no-restricted-imports` to a file, so each block below lists every
  // restriction for its files: production first, then the folders with more (routes, auth) repeat it.
  {
    files: ['core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_NODE, NO_SERVER_OR_WEB] }] },
  },
  {
    files: PRODUCTION,
    ignores: TESTS_AND_HELPERS,
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_TEST_CODE] }] },
  },
  {
    files: ['server/routes/**/*.ts'],
    ignores: TESTS_AND_HELPERS,
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_DB, NO_TEST_CODE] }] },
  },
  {
    files: ['server/routes/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_DB] }] },
  },
  {
    files: ['server/auth/**/*.ts'],
    ignores: TESTS_AND_HELPERS,
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_USECASES, NO_TEST_CODE] }] },
  },
  {
    files: ['server/auth/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_USECASES] }] },
  },
);
