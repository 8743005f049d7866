import { ApiError } from './api-error.ts';

/** A downloaded archive, held in memory until the browser saves it. */
export interface Downloaded {
  blob: Blob;
  filename: string;
}

/**
 * Starts a download the server streams without a Content-Length (a tar written as it is
 * read, DAT-01): a refusal (429 with Retry-After, 403) arrives before the first byte and
 * becomes an ApiError like any other call's.
 */
export async function openDownload(path: string, apiKey: string | undefined): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/x-tar, application/json' };
  if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;
  const response = await fetch(path, { headers, credentials: apiKey === undefined ? 'same-origin' : 'omit', cache: 'no-store' });
  if (!response.ok) throw await ApiError.fromResponse(response);
  return response;
}

/** The name the server gave the archive, or a plain fallback. */
function filenameOf(response: Response, fallback: string): string {
  const named = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1];
  return named && /^[\w.-]+$/.test(named) ? named : fallback;
}

/**
 * Reads the body chunk by chunk, reporting the bytes received so far: with no total size
 * to compare against, a running count is the honest progress. A stream the server cut
 * short (an export that failed after its first byte) rejects here rather than saving half
 * an archive.
 */
export async function readDownload(response: Response, onProgress: (bytes: number) => void, fallbackName: string): Promise<Downloaded> {
  if (!response.body) throw new ApiError({ status: 0, code: 'client_error', message: 'the download had no body' });
  const reader = response.body.getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.byteLength;
    onProgress(received);
  }
  return { blob: new Blob(chunks, { type: response.headers.get('content-type') ?? 'application/x-tar' }), filename: filenameOf(response, fallbackName) };
}
