import { SHARE_NOT_FOUND_MESSAGE } from '@/lib/server/shares';

/** One page for unknown, expired and deleted links alike: nothing tells them apart. */
export default function ShareNotFound() {
  return (
    <article className="shared" data-testid="share-not-found">
      <h2>Forecast not found</h2>
      <p>{SHARE_NOT_FOUND_MESSAGE[0]!.toUpperCase() + SHARE_NOT_FOUND_MESSAGE.slice(1)}.</p>
      <p>
        <a href="/">Open the workbench</a>
      </p>
    </article>
  );
}
