import { execFileSync } from 'node:child_process';

import { defineConfig } from 'tsup';

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

export default defineConfig({
  entry: { main: 'src/main.ts', 'dead-letters': 'src/cli/dead-letters.ts' },
  format: 'esm',
  platform: 'node',
  target: 'node22',
  sourcemap: true,
  clean: true,
  // Workspace packages ship TypeScript source: bundle them, keep real dependencies external.
  noExternal: [/^@grove\//],
  define: { 'process.env.GROVE_BUILD_COMMIT': JSON.stringify(gitCommit()) },
});
