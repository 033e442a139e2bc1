/**
 * Bytes from the backend as an image URL. Blob URLs are cheap and revocable; where
 * they do not exist (jsdom in tests) a data: URL does the same job.
 */
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function bytesToUrl(bytes: Uint8Array, mime: string): string {
  if (typeof URL.createObjectURL === 'function') {
    return URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime }));
  }
  return `data:${mime};base64,${toBase64(bytes)}`;
}

export function revokeUrl(url: string): void {
  if (url.startsWith('blob:')) URL.revokeObjectURL(url);
}
