// Runs the repository's scripts the way CI does: as separate processes, judged by exit code
// and output only.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface ScriptResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** A TypeScript script under the repository root, run by the Node running the tests. */
export function runTypeScript(script: string, args: string[], options: RunOptions = {}): ScriptResult {
  return runExecutable(process.execPath, ['--disable-warning=ExperimentalWarning', resolve(ROOT, script), ...args], options);
}

export function runExecutable(file: string, args: string[], options: RunOptions = {}): ScriptResult {
  const result = spawnSync(file, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
