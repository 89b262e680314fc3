import { LookaheadError } from '@/lib/core/errors';

/**
 * How big a shared snapshot may be. 2 MiB holds a 2048-point window with ten backtest windows of
 * five models at nine levels many times over; anything larger is almost always a whole dataset
 * sent by mistake. LOOKAHEAD_SHARE_MAX_BYTES overrides it (server side).
 */
export const DEFAULT_SHARE_MAX_BYTES = 2 * 1024 * 1024;

/** Longest expiry a link may ask for. */
export const MAX_SHARE_EXPIRY_DAYS = 365;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The 413 every oversized snapshot gets, saying how big it is, the limit, and what to change. */
export function snapshotTooLarge(bytes: number | null, maxBytes: number): LookaheadError {
  const size = bytes === null ? 'over' : `${formatBytes(bytes)}, over`;
  return new LookaheadError(
    'share',
    'too_large',
    `the snapshot is ${size} the ${formatBytes(maxBytes)} limit for shared forecasts; use a shorter context, fewer backtest windows or fewer models`,
    { details: { bytes, maxBytes } },
  );
}
