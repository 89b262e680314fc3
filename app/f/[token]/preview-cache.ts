import 'server-only';

/**
 * Rendered preview images by share token, least recently used evicted first. A snapshot never
 * changes, so neither does its image; the route still checks the share exists on every request,
 * so a deleted or expired link stops serving its image at once. ~70 KiB per image: 100 entries
 * bound the cache to about 7 MiB.
 */
const MAX_ENTRIES = 100;
const images = new Map<string, ArrayBuffer>();

export function cachedPreview(token: string): ArrayBuffer | undefined {
  const image = images.get(token);
  if (image) {
    // Map keeps insertion order: re-inserting marks it most recently used.
    images.delete(token);
    images.set(token, image);
  }
  return image;
}

export function storePreview(token: string, image: ArrayBuffer): void {
  images.set(token, image);
  while (images.size > MAX_ENTRIES) images.delete(images.keys().next().value!);
}

export function forgetPreview(token: string): void {
  images.delete(token);
}
