/**
 * The bench's temporary directory (the batch corpus and up to 100,000 memory-run files): removed when the run ends
 * or fails (the caller's `finally`), and also on Ctrl-C, SIGTERM or SIGHUP, which end a node process without
 * running any `finally` block.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary directory; {@link makeTempDir} makes one. */
export interface TempDir {
  readonly path: string;
  /** Removes the directory and stops watching for signals. */
  remove(): void;
}

/** The signals that end the bench, and the exit code of each (128 + its number, as a shell reports it). */
const SIGNALS: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/**
 * Makes a fresh directory under the system's temporary directory, removed on the signals above.
 *
 * @param prefix - the start of its name.
 * @returns the directory; remove it when done.
 */
export function makeTempDir(prefix: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  const remove = (): void => {
    for (const s of Object.keys(SIGNALS)) process.off(s, onSignal);
    rmSync(path, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    remove();
    process.exit(SIGNALS[signal] ?? 1);
  };
  for (const s of Object.keys(SIGNALS)) process.on(s, onSignal);
  return { path, remove };
}
