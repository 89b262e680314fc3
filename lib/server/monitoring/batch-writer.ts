/**
 * A bounded in-memory buffer flushed by size and by time. `push` never waits and never throws:
 * when the buffer is full the event is dropped and counted. A failed flush (database down) puts
 * its batch back in front while there is room and counts the rest as dropped, so memory stays
 * bounded by `capacity` whatever the database does.
 */
export interface BatchWriterOptions<T> {
  name: string;
  /** Most events held; beyond it new events are dropped (and counted). */
  capacity: number;
  /** A flush starts as soon as this many are buffered, and writes at most this many per statement. */
  maxBatch: number;
  /** A non-empty buffer is flushed at least this often. */
  flushIntervalMs: number;
  write(batch: T[]): Promise<void>;
  onError?(error: unknown, batchSize: number): void;
}

export interface BatchWriterStats {
  name: string;
  buffered: number;
  accepted: number;
  written: number;
  dropped: number;
  failedFlushes: number;
  lastError: string | null;
}

export class BatchWriter<T> {
  private buffer: T[] = [];
  private flushing: Promise<void> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private closed = false;
  private readonly stats: BatchWriterStats;

  constructor(private readonly options: BatchWriterOptions<T>) {
    if (!(options.capacity >= options.maxBatch && options.maxBatch >= 1)) {
      throw new Error(`monitoring: buffer "${options.name}" needs capacity >= maxBatch >= 1 (got capacity ${options.capacity}, maxBatch ${options.maxBatch})`);
    }
    this.stats = { name: options.name, buffered: 0, accepted: 0, written: 0, dropped: 0, failedFlushes: 0, lastError: null };
  }

  /** Adds an event; false when it was dropped (buffer full or writer closed). Never blocks. */
  push(event: T): boolean {
    if (this.closed || this.buffer.length >= this.options.capacity) {
      this.stats.dropped += 1;
      return false;
    }
    this.buffer.push(event);
    this.stats.accepted += 1;
    this.startTimer();
    if (this.buffer.length >= this.options.maxBatch && !this.flushing) queueMicrotask(() => void this.flush());
    return true;
  }

  snapshot(): BatchWriterStats {
    return { ...this.stats, buffered: this.buffer.length };
  }

  /** Writes everything buffered now (one statement per maxBatch); resolves when done, never rejects. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = this.drain().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.options.maxBatch);
      try {
        await this.options.write(batch);
        this.stats.written += batch.length;
      } catch (error) {
        this.stats.failedFlushes += 1;
        this.stats.lastError = error instanceof Error ? error.message : String(error);
        const room = Math.max(0, this.options.capacity - this.buffer.length);
        const kept = batch.slice(0, room);
        this.stats.dropped += batch.length - kept.length;
        this.buffer.unshift(...kept);
        this.options.onError?.(error, batch.length);
        return; // retried on the next tick, not in a hot loop against a database that is down
      }
    }
  }

  private startTimer(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => {
      if (this.buffer.length > 0) void this.flush();
    }, this.options.flushIntervalMs);
    // A buffer's timer never keeps a process (a CLI, a test) alive.
    this.timer.unref?.();
  }

  /** Stops the timer and makes a last flush; later pushes are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}
