// One jest config for the workspace: ts-jest in ESM mode, tests beside the code (src/**/*.test.ts)
// and cross-package integration tests under packages/*/test/. Tests import sibling packages by
// their public names (@mo/api, ...), which resolve to built output: scripts/test.sh builds first.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/packages'],
  testMatch: ['**/src/**/*.test.ts', '**/test/**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.test.json' }],
  },
  testTimeout: 60_000,
  maxWorkers: 2,
};
