'use client';
import { useState } from 'react';
import type { ForecastReport } from '@/lib/report/schema';
import { csrfHeaders } from '@/lib/client/csrf';

interface Published {
  url: string;
  token: string;
  deleteSecret: string;
  expiresAt: string | null;
}

const EXPIRY_CHOICES: { label: string; days: number | null }[] = [
  { label: 'never', days: null },
  { label: 'in 1 day', days: 1 },
  { label: 'in 7 days', days: 7 },
  { label: 'in 30 days', days: 30 },
];

/**
 * "Share": posts the report as an immutable snapshot and shows the link and its delete secret
 * (shown once; only its hash is stored), with a button that deletes the link again.
 */
export function SharePanel({ report }: { report: ForecastReport }) {
  const [expiryDays, setExpiryDays] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [published, setPublished] = useState<Published | null>(null);
  const [deleted, setDeleted] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const share = async () => {
    setBusy(true);
    setError(null);
    setDeleted(false);
    try {
      const response = await fetch('/api/forecasts', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...csrfHeaders() },
        body: JSON.stringify({ snapshot: report, expiresInDays: expiryDays }),
      });
      const body = (await response.json()) as Published & { error?: { message: string } };
      if (!response.ok) throw new Error(body.error?.message ?? `share: HTTP ${response.status}`);
      setPublished(body);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!published) return;
    setBusy(true);
    setError(null);
    try {
      const response = await fetch(`/api/forecasts/${published.token}`, {
        method: 'DELETE',
        headers: { 'content-type': 'application/json', ...csrfHeaders() },
        body: JSON.stringify({ deleteSecret: published.deleteSecret }),
      });
      if (!response.ok) {
        const body = (await response.json().catch(() => null)) as { error?: { message: string } } | null;
        throw new Error(body?.error?.message ?? `share: HTTP ${response.status}`);
      }
      setDeleted(true);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="share" aria-label="Share">
      <div className="toolbar">
        <label htmlFor="share-expiry" className="inline-label">
          Link expires
        </label>
        <select id="share-expiry" value={expiryDays ?? ''} onChange={(event) => setExpiryDays(event.target.value === '' ? null : Number(event.target.value))}>
          {EXPIRY_CHOICES.map((choice) => (
            <option key={choice.label} value={choice.days ?? ''}>
              {choice.label}
            </option>
          ))}
        </select>
        <button type="button" data-testid="share-button" onClick={share} disabled={busy}>
          Share link
        </button>
      </div>
      {published && !deleted && (
        <div className="share-result" data-testid="share-result">
          <p>
            Link:{' '}
            <a href={published.url} data-testid="share-url" target="_blank" rel="noreferrer">
              {published.url}
            </a>
            {published.expiresAt ? ` (expires ${new Date(published.expiresAt).toUTCString()})` : ' (does not expire)'}
          </p>
          <p className="note">
            Delete secret (shown only now; keep it to delete the link): <code data-testid="delete-secret">{published.deleteSecret}</code>
          </p>
          <button type="button" className="secondary small" data-testid="delete-share" onClick={remove} disabled={busy}>
            Delete link
          </button>
        </div>
      )}
      {deleted && (
        <p className="note" data-testid="share-deleted">
          The link is deleted; it now answers 404.
        </p>
      )}
      {error && (
        <div className="error" role="alert" data-testid="share-error">
          {error}
        </div>
      )}
    </div>
  );
}
