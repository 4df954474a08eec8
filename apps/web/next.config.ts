import type { NextConfig } from 'next';

const config: NextConfig = {
  // Workspace packages ship TypeScript source.
  transpilePackages: ['@grove/contract', '@grove/config', '@grove/worker-token'],
  poweredByHeader: false,
  reactStrictMode: true,
  // Route handlers stream SSE themselves; nothing here may buffer or compress them.
  compress: false,
};

export default config;
