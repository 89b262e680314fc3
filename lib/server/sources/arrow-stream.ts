import 'server-only';
import { LookaheadError } from '@/lib/core/errors';
import { WindowStreamEncoder } from '@/lib/data/arrow-window';
import type { WindowReader } from './window-reader';

/**
 * A window reader as an Arrow IPC byte stream. Pull-based: a batch is read from the source only
 * when the consumer asks for the next chunk (highWaterMark 1), so a slow client slows the read
 * instead of filling memory. `cancel` (the client went away) and an idle client (no pull for
 * `idleTimeoutMs`) both close the reader, which releases the cursor and the connection.
 */
export function arrowWindowStream(reader: WindowReader, { idleTimeoutMs, onClose }: { idleTimeoutMs: number; onClose?: () => void }): ReadableStream<Uint8Array> {
  const encoder = new WindowStreamEncoder(reader.columns);
  let headerSent = false;
  let finished = false;
  let inFlight: Promise<void> | null = null;
  let idleTimer: ReturnType<typeof setTimeout> | null = null;
  let streamController: ReadableStreamDefaultController<Uint8Array> | null = null;

  async function finish(): Promise<void> {
    if (finished) return;
    finished = true;
    if (idleTimer) clearTimeout(idleTimer);
    await reader.close();
    onClose?.();
  }

  function armIdleTimer(): void {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      void (async () => {
        await inFlight?.catch(() => undefined);
        if (finished) return;
        await finish().catch(() => undefined);
        streamController?.error(new LookaheadError('window', 'cancelled', `window: closed after ${idleTimeoutMs} ms without a read from the client`));
      })();
    }, idleTimeoutMs);
    // An idle timer must not keep a process (a CLI, a test) alive on its own.
    (idleTimer as { unref?: () => void }).unref?.();
  }

  async function pullOnce(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    if (!headerSent) {
      headerSent = true;
      controller.enqueue(encoder.header());
      return;
    }
    // Enqueue something on every pull: a pull that enqueues nothing is not repeated.
    for (;;) {
      const batch = await reader.next();
      if (finished) return;
      if (!batch) {
        controller.enqueue(encoder.end());
        await finish();
        controller.close();
        return;
      }
      if (batch.timestampsMs.length) {
        controller.enqueue(encoder.batch(batch));
        return;
      }
    }
  }

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        streamController = controller;
        armIdleTimer();
      },
      async pull(controller) {
        if (finished) return;
        armIdleTimer();
        inFlight = pullOnce(controller);
        try {
          await inFlight;
        } catch (error) {
          // The client hears of the failure first; releasing the reader (a ROLLBACK on a cut
          // connection, say) must not hold the error back.
          controller.error(error);
          await finish().catch(() => undefined);
        } finally {
          inFlight = null;
        }
      },
      async cancel() {
        await inFlight?.catch(() => undefined);
        await finish();
      },
    },
    { highWaterMark: 1 },
  );
}
