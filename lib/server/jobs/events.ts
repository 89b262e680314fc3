import 'server-only';
import type { DatabaseHandle } from '@/db';
import { describeJob, type JobView } from './view';

/**
 * A job's progress as server-sent events. The record lives in the database (workers may run on
 * other machines), so the stream polls it, about once a second, and sends `progress` whenever a
 * count or the state changed, `done` (completed, with or without failures, or cancelled) or
 * `failed` at the end (a kind's live `detail`, such as a training step, counts as a change); a comment every 15 s keeps proxies from closing an idle stream.
 */
export function jobEventStream({ handle, id, signal, intervalMs = 1000 }: { handle: DatabaseHandle; id: string; signal?: AbortSignal; intervalMs?: number }): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let last = '';
      let lastSent = Date.now();
      const send = (event: string, data: unknown) => controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
      const close = () => {
        if (closed) return;
        closed = true;
        if (timer) clearTimeout(timer);
        controller.close();
      };
      signal?.addEventListener('abort', close, { once: true });
      const tick = async () => {
        if (closed) return;
        try {
          const view: JobView | null = await describeJob({ handle, id });
          if (closed) return;
          if (!view) {
            send('failed', { id, error: 'the job no longer exists' });
            return close();
          }
          const key = JSON.stringify([view.state, view.seriesDone, view.seriesFailed, view.chunks, view.attempts, view.detail ?? null]);
          if (key !== last) {
            last = key;
            lastSent = Date.now();
            send('progress', view);
          } else if (Date.now() - lastSent > 15_000) {
            lastSent = Date.now();
            controller.enqueue(encoder.encode(': keep-alive\n\n'));
          }
          if (view.terminal) {
            send(view.state === 'failed' ? 'failed' : 'done', view);
            return close();
          }
        } catch (error) {
          // A dropped database connection is retried on the next tick; the client sees no gap but time.
          controller.enqueue(encoder.encode(`: ${String((error as Error).message).replace(/\n/g, ' ')}\n\n`));
        }
        timer = setTimeout(() => void tick(), intervalMs);
      };
      void tick();
    },
    cancel() {
      closed = true;
      if (timer) clearTimeout(timer);
    },
  });
}
