/**
 * Cooperative cancellation of long work on the main thread. The dev server's builds and
 * search indexes run for hundreds of milliseconds on a big site; a save that comes meanwhile
 * must not wait for work it has made useless. Such work pauses now and then, letting the
 * event loop take the save in, and stops there when asked to.
 */

/** Thrown where work stops because `abandon` asked it to. */
export class BuildAbandoned extends Error {
  constructor() {
    super('abandoned for newer work');
  }
}

/**
 * A pause for long work: lets the event loop run, then throws `BuildAbandoned` when
 * `abandon()` says so. Without `abandon` it only lets the loop run, which long work on the
 * main thread must do anyway: a child process's pipes (Pagefind's) are fed and drained there.
 */
export function pauses(abandon?: () => boolean): () => Promise<void> {
  return async () => {
    await new Promise((resolve) => setImmediate(resolve));
    if (abandon?.()) throw new BuildAbandoned();
  };
}
