import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';

import { currentTheme } from '@/lib/preferences/theme';

import './globals.css';

export const metadata: Metadata = {
  // Each page names itself ("Settings · Grove"), so tabs and screen readers tell them apart.
  title: { default: 'Grove', template: '%s · Grove' },
  description: 'A self-hostable browser workspace for AI coding',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" data-theme={await currentTheme()}>
      <body>{children}</body>
    </html>
  );
}
