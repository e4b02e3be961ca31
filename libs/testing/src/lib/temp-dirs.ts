import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The folders `tempDir` made in this test file; jest.environment.js removes them after the file. */
function registry(): Set<string> {
  const scope = globalThis as { __keycardTempDirs?: Set<string> };
  scope.__keycardTempDirs ??= new Set();
  return scope.__keycardTempDirs;
}

/**
 * A fresh, empty folder under the OS temp folder for one test's files. Every folder made during a
 * test file is removed when that file's tests (and their afterAll hooks) are done, by the Jest
 * environment of this repo (jest.environment.js), so tests never leave folders behind.
 */
export function tempDir(prefix = 'keycard-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  registry().add(dir);
  return dir;
}
