export { purgeSharedResponses, serveSharedResponse, shareCacheMaxBytes, shareMaxAgeSeconds, SHARE_CACHE_HEADER, SHARE_RENDER_HEADER } from './serve';
export { ShareResponseStore, shareCacheKey, type ShareCacheEntry, type CachedResponse } from './store';
