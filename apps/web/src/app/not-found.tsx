import Link from 'next/link';

/**
 * Any page that does not exist, or a session that is not (or no longer) the user's. The header
 * is SiteHeader's brand and navigation without the user: this page stays static and also
 * answers signed-out visitors (the pages it links to send them to sign in).
 */
export default function NotFound() {
  return (
    <main>
      <header className="top">
        <nav aria-label="Main" className="nav">
          <h1>
            <Link href="/" className="brand">
              Grove
            </Link>
          </h1>
          <Link href="/">Sessions</Link>
          <Link href="/workers">Workers</Link>
          <Link href="/settings">Settings</Link>
        </nav>
      </header>
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
