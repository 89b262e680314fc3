import { LookaheadError } from '@/lib/core/errors';
import type { EpochRecord } from '@/lib/models/informer';
import type { BrowserTrainingJob } from './training-protocol';

/**
 * Browser training runs in IndexedDB (database "lookahead-training", store "runs", one record per
 * run id): the job, the series it trains on (so a resumed run sees the very same data window), and
 * the newest epoch checkpoint (weights, Adam moments, epoch, history; lib/models/informer
 * encodeCheckpoint). The worker writes at the start and after every epoch; the page lists the
 * records to offer a resume after a reload, and deletes one once its model is stored on the server
 * (or the user discards it). Used from the page and from the training worker.
 */
export interface SavedTrainingRun {
  runId: string;
  job: BrowserTrainingJob;
  series: { timestampsMs: Float64Array; values: Float64Array; frequency: string | null };
  /** Epochs completed (0: none yet). */
  epoch: number;
  epochs: number;
  /** encodeCheckpoint bytes of the newest epoch, null before the first. */
  checkpoint: Uint8Array | null;
  history: EpochRecord[];
  createdAt: string;
  updatedAt: string;
}

/** What the page lists (no series or checkpoint bytes). */
export type SavedTrainingSummary = Omit<SavedTrainingRun, 'series' | 'checkpoint'> & { checkpointBytes: number };

const DATABASE = 'lookahead-training';
const STORE = 'runs';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new LookaheadError('training', 'unsupported', 'this browser has no IndexedDB, so training checkpoints cannot be kept'));
      return;
    }
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE, { keyPath: 'runId' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(new LookaheadError('training', 'internal', `IndexedDB "${DATABASE}" could not be opened: ${request.error?.message ?? 'unknown error'}`));
  });
}

async function transact<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const database = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction = database.transaction(STORE, mode);
      const request = work(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(new LookaheadError('training', 'internal', `IndexedDB ${mode} failed: ${transaction.error?.message ?? 'unknown error'}`));
      transaction.onabort = () => reject(new LookaheadError('training', 'internal', `IndexedDB ${mode} aborted: ${transaction.error?.message ?? 'quota exceeded?'}`));
    });
  } finally {
    database.close();
  }
}

export async function saveTrainingRun(run: SavedTrainingRun): Promise<void> {
  await transact('readwrite', (store) => store.put(run));
}

export function loadTrainingRun(runId: string): Promise<SavedTrainingRun | undefined> {
  return transact('readonly', (store) => store.get(runId) as IDBRequest<SavedTrainingRun | undefined>);
}

export async function deleteTrainingRun(runId: string): Promise<void> {
  await transact('readwrite', (store) => store.delete(runId));
}

/** Every saved run, newest first. */
export async function listTrainingRuns(): Promise<SavedTrainingSummary[]> {
  const runs = await transact('readonly', (store) => store.getAll() as IDBRequest<SavedTrainingRun[]>);
  return runs
    .map(({ series: _series, checkpoint, ...rest }) => ({ ...rest, checkpointBytes: checkpoint?.byteLength ?? 0 }))
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
}
