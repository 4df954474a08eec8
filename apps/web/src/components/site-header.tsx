import Link from 'next/link';
/**
 * The top bar of the list pages: name, navigation, and who is signed in. Without `user` (the
 * static 404 page, which signed-out visitors see too) there is no sign-out part.
 */
export function SiteHeader({
  user,
  current,
}: {
  user?: string | undefined;
  current?: 'sessions' | 'workers' | 'settings' | undefined;
}) {
  return (
    <header className="top">
      <nav aria-label="Main" className="nav">
        <h1>
          <Link href="/" className="brand">
            Grove
          </Link>
        </h1>
        <Link href="/" aria-current={current === 'sessions' ? 'page' : undefined}>
          Sessions
        </Link>
        <Link href="/workers" aria-current={current === 'workers' ? 'page' : undefined}>
          Workers
        </Link>
        <Link href="/settings" aria-current={current === 'settings' ? 'page' : undefined}>
          Settings
        </Link>
      </nav>
      {user !== undefined && (
        <form action="/auth/signout" method="post" className="who">
          <span className="muted">{user}</span>{' '}
          <button type="submit" className="secondary">
            Sign out
          </button>
        </form>
      )}
    </header>
  );
}
