import { readSync } from 'node:fs';

/**
 * Fill `buffer` from `position` of an open file, reading again after a short read, until it
 * is full or the file ends: the number of bytes read (fewer than the buffer's length only at
 * the end of the file). For the files geul reads by offset: cache entries, the fragment
 * store's lines and the HTML spool.
 */
export function readAt(fd: number, buffer: Uint8Array, position: number): number {
  let done = 0;
  while (done < buffer.length) {
    const got = readSync(fd, buffer, done, buffer.length - done, position + done);
    if (got === 0) break;
    done += got;
  }
  return done;
}
