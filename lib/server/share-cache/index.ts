export { purgeSharedResponses, serveSharedResponse, shareCacheMaxBytes, shareMaxAgeSeconds, SHARE_CACHE_HEADER, SHARE_RENDER_HEADER } from './serve';
export { answerShareFromCache, registerShareFront, acceptsGzip, SHARE_FRONT_BYPASS_HEADER, type FrontAnswer, type FrontRequest, type ShareFront } from './front';
export { ShareResponseStore, shareCacheKey, type ShareCacheEntry, type CachedResponse } from './store';
