export const dynamic = 'force-dynamic';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** Sign-in for the page when LOOKAHEAD_AUTH=tokens: paste an API token, get a session cookie. */
export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const next = typeof params.next === 'string' && params.next.startsWith('/') && !params.next.startsWith('//') ? params.next : '/';
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
