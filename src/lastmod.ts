import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { onDisk } from './on-disk.js';

const run = promisify(execFile);

/**
 * When each source file last changed: the author date of the last commit that touched it,
 * else (no git, not a repository, a file git does not track) its modification time. Git is
 * asked once for the whole history of `content/`, never once per file: a site of thousands
 * of posts costs one process. A shallow clone knows only its last commits, so CI should
 * fetch the full history (`fetch-depth: 0`) for these dates to mean anything.
 */
export async function lastModified(
  root: string,
  sourcePaths: string[],
  /** Git's answer when the caller kept it (the dev server asks once per session). */
  committed: Promise<ReadonlyMap<string, Date>> = gitDates(root),
): Promise<Map<string, Date>> {
  const commits = await committed;
  const dates = new Map<string, Date>();
  await Promise.all(
    sourcePaths.map(async (source) => {
      // Named NFC; on disk maybe NFD (a file from macOS), looked up only then.
      const date = commits.get(source) ?? (await mtimeOf(path.join(root, source))) ?? (await mtimeOf(onDisk(root, source)));
      if (date) dates.set(source, date);
    }),
  );
  return dates;
}

/** Repo-relative path (from `root`, NFC) → date of the newest commit touching it. */
export async function gitDates(root: string): Promise<Map<string, Date>> {
  const dates = new Map<string, Date>();
  let stdout: string;
  try {
    // Newest first; each commit is `\x1e<date>\0\n<file>\0<file>\0…`. -z keeps Hangul file
    // names unquoted; --relative gives them relative to root even inside a larger repository.
    ({ stdout } = await run('git', ['-C', root, 'log', '--format=%x1e%aI', '--name-only', '-z', '--relative', '--', 'content'], {
      maxBuffer: 1 << 28,
      encoding: 'utf8',
    }));
  } catch {
    return dates;
  }
  for (const commit of stdout.split('\x1e')) {
    const [date, ...files] = commit.split('\0');
    if (!date) continue;
    const when = new Date(date);
    if (Number.isNaN(when.getTime())) continue;
    for (const file of files) {
      const name = file.replace(/^\n/, '').normalize('NFC');
      if (name && !dates.has(name)) dates.set(name, when);
    }
  }
  return dates;
}

async function mtimeOf(file: string): Promise<Date | undefined> {
  try {
    return (await stat(file)).mtime;
  } catch {
    return undefined;
  }
}
