import { authMode } from '@/lib/server/access';

export const dynamic = 'force-dynamic';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** Sign-in for the page: a name and password (LOOKAHEAD_AUTH=password) or an API token (tokens); either gets a session cookie. */
export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const next = typeof params.next === 'string' && params.next.startsWith('/') && !params.next.startsWith('//') ? params.next : '/';
  if (authMode(process.env) === 'password') {
    return (
      <section className="panel signin">
        <h2>Sign in</h2>
        <p>This Lookahead asks who you are. Sign in with the name and password your administrator gave you.</p>
        {params.failed ? <p role="alert" data-testid="signin-error">That name and password do not match.</p> : null}
        <form method="post" action="/api/session">
          <input type="hidden" name="next" value={next} />
          <label htmlFor="name">Name</label>
          <input id="name" name="name" type="text" autoComplete="username" required />
          <label htmlFor="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required />
          <button type="submit">Sign in</button>
        </form>
      </section>
    );
  }
  return (
    <section className="panel signin">
      <h2>Sign in</h2>
      <p>This Lookahead asks who you are. Paste the API token your administrator gave you.</p>
      {params.failed ? <p role="alert" data-testid="signin-error">That token is not one of this server’s tokens.</p> : null}
      <form method="post" action="/api/session">
        <input type="hidden" name="next" value={next} />
        <label htmlFor="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="current-password" required />
        <button type="submit">Sign in</button>
      </form>
    </section>
  );
}
