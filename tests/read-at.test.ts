import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { readAt } from '../src/read-at.js';

const dir = mkdtempSync(path.join(tmpdir(), 'geul-read-at-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('fills the buffer from the position; fewer bytes only where the file ends', () => {
  const file = path.join(dir, 'f');
  writeFileSync(file, '0123456789');
  const fd = openSync(file, 'r');
  try {
    const middle = Buffer.alloc(4);
    expect(readAt(fd, middle, 3)).toBe(4);
    expect(middle.toString()).toBe('3456');
    const tail = Buffer.alloc(6);
    expect(readAt(fd, tail, 7)).toBe(3);
    expect(tail.subarray(0, 3).toString()).toBe('789');
    expect(readAt(fd, Buffer.alloc(2), 10)).toBe(0);
    expect(readAt(fd, new Uint8Array(0), 0)).toBe(0);
  } finally {
    closeSync(fd);
  }
});
