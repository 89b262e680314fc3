/**
 * The header a signed-in page sends with every state-changing request: the CSRF token the
 * server set in the readable `lookahead_csrf` cookie (a cross-site page cannot read it). Empty
 * when there is no session (local use, or API tokens).
 */
export function csrfHeaders(): Record<string, string> {
  if (typeof document === 'undefined') return {};
  const match = /(?:^|;\s*)lookahead_csrf=([^;]+)/.exec(document.cookie);
  return match ? { 'x-csrf-token': match[1]! } : {};
}
