import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    // Starts a throwaway redis-server (or uses REDIS_URL) for the Redis store tests.
    globalSetup: ['tests/helpers/redis-global-setup.ts'],
  },
});
