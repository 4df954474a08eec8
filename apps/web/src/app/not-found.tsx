import type { Metadata } from 'next';
import Link from 'next/link';

import { SiteHeader } from '@/components/site-header';

// The layout's title template applies to nested pages only.
export const metadata: Metadata = { title: { absolute: 'Not found · Grove' } };

/**
 * Any page that does not exist, or a session that is not (or no longer) the user's. The header
 * has no user: this page stays static and also answers signed-out visitors (the pages it links
 * to send them to sign in).
 */
export default function NotFound() {
  return (
    <main>
      <SiteHeader />
      <section className="panel" aria-labelledby="not-found-title">
        <h2 id="not-found-title">Not found</h2>
        <p className="muted">There is nothing here, or it is not yours to see.</p>
        <p>
          <Link href="/">Back to sessions</Link>
        </p>
      </section>
    </main>
  );
}
