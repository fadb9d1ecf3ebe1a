import { defineConfig } from 'vitest/config';

export const config = defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    typecheck: { enabled: false },
  },
});

// Vitest reads the default export of its config file; the project otherwise uses named exports only.
// biome-ignore lint/style/noDefaultExport: required by vitest
export default config;
