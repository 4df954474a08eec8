import type { NextConfig } from 'next';

const config: NextConfig = {
  // Workspace packages ship TypeScript source.
  transpilePackages: ['@grove/contract', '@grove/config', '@grove/worker-token'],
  poweredByHeader: false,
  reactStrictMode: true,
  // Route handlers stream SSE themselves; nothing here may buffer or compress them.
  compress: false,
  // No page may be framed by another (clickjacking: a hidden IDE with a live terminal). Not the
  // chat's event streams: nothing frames or sniffs those, and they are the latency-critical path.
  async headers() {
    return [
      {
        source: '/((?!api/workspace/chat).*)',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Content-Security-Policy', value: "frame-ancestors 'none'" },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
        ],
      },
    ];
  },
};

export default config;
