'use client';
import { useEffect, useRef, useState } from 'react';
import { catalogEntry } from '@/lib/models/chronos-bolt/catalog';
import type { ServerInstallJob } from '@/lib/server/models/install-jobs';

/**
 * "Install on the server": POST /api/models/install runs the same pull and convert as
 * npm run models:pull in the server's background; this polls its progress and, when it is done,
 * asks the page to reload the model list (the server lists the new model for everyone, no restart).
 */
export function ServerInstall({ modelId, dtype, onInstalled }: { modelId: string; dtype: 'fp32' | 'fp16'; onInstalled: () => void }) {
  const [job, setJob] = useState<ServerInstallJob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const entry = catalogEntry(modelId);

  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);

  if (!entry) return null;

  const poll = (id: string) => {
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

  const start = async () => {
    setError(null);
    try {
      const response = await fetch('/api/models/install', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ repo: entry.repo, dtype }),
      });
      const body = (await response.json()) as { job?: ServerInstallJob; error?: { message: string } };
      if (!response.ok || !body.job) throw new Error(body.error?.message ?? `HTTP ${response.status}`);
      setJob(body.job);
      poll(body.job.id);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  return (
    <div className="server-install" data-testid="server-install">
      <button type="button" className="secondary" onClick={start} disabled={job?.status === 'running'}>
        Install {entry.label} on the server
      </button>
      {job && (
        <p className="note" data-testid="server-install-status" data-status={job.status}>
          {job.status === 'failed' ? job.message : job.message}
          {job.status === 'running' && <progress value={job.fraction} max={1} />}
        </p>
      )}
      {error && <p className="note">{error}</p>}
    </div>
  );
}
