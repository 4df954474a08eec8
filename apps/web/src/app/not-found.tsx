import Link from 'next/link';

/** Any page that does not exist, or a session that is not (or no longer) the user's. */
export default function NotFound() {
  return (
    <main>
      <header className="top">
        <h1>Not found</h1>
      </header>
      <div className="panel">
        <p className="muted">There is nothing here, or it is not yours to see.</p>
        <p>
          <Link href="/">Back to sessions</Link>
        </p>
      </div>
    </main>
  );
}
