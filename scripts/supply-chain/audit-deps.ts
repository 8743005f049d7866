// Runs `npm audit` over every dependency (dev included: build and test tools run in CI with
// its secrets) and fails on any high or critical advisory (OPS-03; ASVS V15.2.1).
// Usage: node scripts/supply-chain/audit-deps.ts [--fail-if-unavailable]
// Exit codes: 0 no high/critical advisory, or the audit endpoint is unavailable (said loudly);
// 1 high/critical advisories; 2 the audit could not run, or was unavailable with
// --fail-if-unavailable.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const BLOCKING = ['critical', 'high'] as const;
const SEVERITIES = ['critical', 'high', 'moderate', 'low', 'info'] as const;
// HTTP statuses by which a registry says it has no audit endpoint (here: 405 from a read-only mirror).
const NO_ENDPOINT_STATUSES = new Set([404, 405, 410, 501, 502, 503, 504]);
const NETWORK_CODES = new Set(['ENOAUDIT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH']);

type Severity = (typeof SEVERITIES)[number];

interface Advisory {
  title?: string;
  url?: string;
  severity?: string;
  range?: string;
}

interface Vulnerability {
  name: string;
  severity: string;
  range?: string;
  via: (string | Advisory)[];
  fixAvailable?: unknown;
}

type Outcome =
  | { kind: 'report'; counts: Record<Severity, number>; dependencies: number; blocking: Vulnerability[] }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'error'; reason: string };

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Reads npm's JSON output: an audit report, or one of the shapes npm uses for failures. */
function interpret(output: Record<string, unknown>): Outcome {
  const metadata = asRecord(output.metadata);
  const found = asRecord(metadata?.vulnerabilities);
  if (found) {
    const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, Number(found[severity] ?? 0)])) as Record<Severity, number>;
    const vulnerabilities = Object.values(asRecord(output.vulnerabilities) ?? {}) as Vulnerability[];
    const blocking = vulnerabilities.filter((vulnerability) => (BLOCKING as readonly string[]).includes(vulnerability.severity));
    const dependencies = Number(asRecord(metadata?.dependencies)?.total ?? 0);
    return { kind: 'report', counts, dependencies, blocking };
  }
  const message = typeof output.message === 'string' ? output.message : '';
  if (typeof output.statusCode === 'number') {
    return NO_ENDPOINT_STATUSES.has(output.statusCode) ? { kind: 'unavailable', reason: message } : { kind: 'error', reason: message };
  }
  // npm reports a network failure as "request to <url> failed, reason: <cause>".
  if (/^request to \S+ failed, reason: /.test(message)) return { kind: 'unavailable', reason: message };
  const error = asRecord(output.error);
  const code = typeof error?.code === 'string' ? error.code : '';
  const reason = [code, error?.summary, message].filter((part) => typeof part === 'string' && part !== '').join(': ');
  if (NETWORK_CODES.has(code)) return { kind: 'unavailable', reason };
  return { kind: 'error', reason: reason || 'npm audit printed neither a report nor an error' };
}

function runAudit(): Outcome {
  // Bounded retries and timeout: an unreachable endpoint should be reported, not waited on.
  const result = spawnSync('npm', ['audit', '--json', '--audit-level=high', '--fetch-retries=1', '--fetch-timeout=30000'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 180_000,
  });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
    return { kind: 'unavailable', reason: 'npm audit timed out after 180 s' };
  }
  if (result.error) return { kind: 'error', reason: `cannot run npm: ${result.error.message}` };
  let output: Record<string, unknown> | undefined;
  try {
    output = asRecord(JSON.parse(result.stdout));
  } catch {
    output = undefined;
  }
  if (!output) return { kind: 'error', reason: `npm audit printed no JSON (exit ${result.status}): ${result.stderr.trim().split('\n').at(-1) ?? ''}` };
  return interpret(output);
}

function describeAdvisories(vulnerability: Vulnerability): string {
  const advisories = vulnerability.via.filter((via): via is Advisory => typeof via === 'object');
  const titles = advisories.map((advisory) => `${advisory.title ?? 'advisory'}${advisory.url ? ` (${advisory.url})` : ''}`);
  const through = vulnerability.via.filter((via): via is string => typeof via === 'string');
  return titles.length > 0 ? titles.join('; ') : `through ${through.join(', ')}`;
}

function main(argv: string[]): number {
  const unknown = argv.filter((arg) => arg !== '--fail-if-unavailable');
  if (unknown.length > 0) {
    console.error(`dependency audit: unknown argument ${unknown[0]}; usage: node scripts/supply-chain/audit-deps.ts [--fail-if-unavailable]`);
    return 2;
  }
  const outcome = runAudit();
  if (outcome.kind === 'unavailable') {
    console.log(`dependency audit: UNAVAILABLE — the registry offers no audit endpoint here (${outcome.reason}); this run did not check advisories`);
    return argv.includes('--fail-if-unavailable') ? 2 : 0;
  }
  if (outcome.kind === 'error') {
    console.error(`dependency audit: ERROR — npm audit could not run (${outcome.reason})`);
    return 2;
  }
  const counts = SEVERITIES.map((severity) => `${outcome.counts[severity]} ${severity}`).join(', ');
  if (outcome.blocking.length > 0 || outcome.counts.critical + outcome.counts.high > 0) {
    for (const vulnerability of outcome.blocking) {
      const fix = vulnerability.fixAvailable ? 'fix available' : 'no fix yet';
      console.error(`  ${vulnerability.severity} ${vulnerability.name} ${vulnerability.range ?? ''} — ${describeAdvisories(vulnerability)} [${fix}]`);
    }
    console.error(`dependency audit: FAILED — ${counts} across ${outcome.dependencies} dependencies`);
    return 1;
  }
  console.log(`dependency audit: OK — ${counts} across ${outcome.dependencies} dependencies`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
