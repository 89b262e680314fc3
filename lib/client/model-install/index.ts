/** Chronos-Bolt installed in the browser: hub download (verified, resumable), conversion, Cache API store. */
export { installFromHub, PHASE_END, type InstallPhase, type InstallProgress, type InstalledInBrowser } from './install';
export { listCachedModels, removeCachedModel, findCachedModel, INSTALLED_CACHE, type CachedModel, type CachedModelManifest } from './model-cache';
export { fetchHubRevision, downloadHubFile, type HubRevision, type HubFileInfo } from './hub-files';
