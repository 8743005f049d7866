import { runCli } from './run.ts';

// Everything Enclave writes (keys, databases, checkpoints, backups) is for its owner only.
process.umask(0o077);
process.exitCode = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
