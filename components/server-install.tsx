'use client';
import { useEffect, useRef, useState } from 'react';
import { csrfHeaders } from '@/lib/client/csrf';
import { catalogEntry } from '@/lib/models/chronos-bolt/catalog';
import type { ServerInstallJob } from '@/lib/server/models/install-jobs';

/**
 * "Install on the server": POST /api/models/install runs the same pull and convert as
 * npm run models:pull in the server's background; this polls its progress and, when it is done,
 * asks the page to reload the model list (the server lists the new model for everyone, no restart).
 * An install already running for this repo (started before a reload, or by another visitor) is
 * picked up on mount, so its progress is never lost.
 */
export function ServerInstall({
  modelId,
  dtype,
  needsDownload,
  onInstalled,
}: {
  modelId: string;
  dtype: 'fp32' | 'fp16';
  /** False once the server lists the model: the button goes, the finished install's message stays. */
  needsDownload: boolean;
  onInstalled: () => void;
}) {
  const [job, setJob] = useState<ServerInstallJob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const entry = catalogEntry(modelId);
  const repo = entry?.repo;

  const poll = (id: string) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(async () => {
      try {
        const response = await fetch(`/api/models/install/${id}`);
        const body = (await response.json()) as { job?: ServerInstallJob; error?: { message: string } };
        if (!response.ok || !body.job) throw new Error(body.error?.message ?? `HTTP ${response.status}`);
        setJob(body.job);
        if (body.job.status === 'running') poll(id);
        else if (body.job.status === 'done') onInstalled();
      } catch (failure) {
        setError(`models: following the server install failed: ${(failure as Error).message}`);
      }
    }, 500);
  };

  useEffect(() => {
    setJob(null);
    setError(null);
    if (!repo || !needsDownload) return;
    let live = true;
    fetch('/api/models/install')
      .then((response) => (response.ok ? (response.json() as Promise<{ jobs?: ServerInstallJob[] }>) : { jobs: [] }))
      .then(({ jobs = [] }) => {
        const running = jobs.find((candidate) => candidate.repo === repo && candidate.status === 'running');
        if (live && running) {
          setJob((current) => current ?? running);
          poll(running.id);
        }
      })
      .catch(() => undefined);
    return () => {
      live = false;
      if (timer.current) clearTimeout(timer.current);
    };
    // poll only reads stable setters and onInstalled; re-run when the repo changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [repo]);

  if (!entry || (!needsDownload && !job)) return null;

  const start = async () => {
    setError(null);
    try {
      const response = await fetch('/api/models/install', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...csrfHeaders() },
        body: JSON.stringify({ repo: entry.repo, dtype }),
      });
      const body = (await response.json()) as { job?: ServerInstallJob; error?: { message: string } };
      if (!response.ok || !body.job) throw new Error(body.error?.message ?? `HTTP ${response.status}`);
      setJob(body.job);
      if (body.job.status === 'running') poll(body.job.id);
      else if (body.job.status === 'done') onInstalled();
    } catch (failure) {
      setError(`models: installing ${entry.repo} on the server failed: ${(failure as Error).message}`);
    }
  };

  return (
    <div className="server-install" data-testid="server-install">
      {needsDownload && (
        <button type="button" className="secondary" onClick={start} disabled={job?.status === 'running'}>
          Install {entry.label} on the server
        </button>
      )}
      {job && (
        <p className="note" data-testid="server-install-status" data-status={job.status}>
          {job.message}
          {job.status === 'running' && <progress value={job.fraction} max={1} />}
        </p>
      )}
      {error && (
        <p className="note" data-testid="server-install-error">
          {error}
        </p>
      )}
    </div>
  );
}
