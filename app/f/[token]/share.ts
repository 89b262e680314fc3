import 'server-only';
import { cache } from 'react';
import { getDatabase } from '@/db';
import { isLookaheadError } from '@/lib/core/errors';
import { readShare, type SharedForecast } from '@/lib/server/shares';

/** The share behind a token, read once per request (page, metadata and image share it); null = 404. */
export const loadShare = cache(async (token: string): Promise<SharedForecast | null> => {
  try {
    return await readShare({ handle: await getDatabase(), token });
  } catch (error) {
    if (isLookaheadError(error) && error.code === 'not_found') return null;
    throw error;
  }
});
