import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'core-nin',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'gpu-kit/**/*.test.ts'],
    // Training tests run real steps on one core of a 2-core machine; under a second heavy job they took up to
    // 186 s (resume tests, seen on 2026-12-02), so the limit leaves room without letting a hang go unnoticed.
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
});
