import type { Response } from 'express';

/** A file answered to a download route. */
export interface Download {
  contentType: string;
  filename: string;
  body: AsyncIterable<string | Buffer> | Iterable<string | Buffer>;
  /** Shown in the browser instead of saved (Content-Disposition inline). */
  inline?: boolean;
}

/**
 * Writes a download as it is produced, waiting for the socket to drain, so large files never sit
 * in memory. Errors before the first chunk still reach the caller as problem documents; a failure
 * after it ends the connection (headers are gone by then).
 */
export async function sendDownload(res: Response, download: Download): Promise<void> {
  res.status(200);
  // attachment() sets Content-Type from the file extension (application/octet-stream for
  // .jsonl): our own type goes last.
  if (!download.inline) res.attachment(download.filename);
  res.type(download.contentType);
  for await (const chunk of download.body) {
    if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}
