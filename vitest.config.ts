import { defineConfig } from 'vitest/config';

// The CLI colours piped output under FORCE_COLOR; tests read its plain text, whatever the CI sets.
delete process.env['FORCE_COLOR'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
