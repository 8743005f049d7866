// Generates docs/SECURITY.md from docs/security/controls.yaml and a vitest JSON report, and
// refuses to claim a control as implemented unless the report holds a passing test for it
// (OPS-05). Run `node scripts/security-page.ts --help`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { type Control, type ControlsFile, ControlsError, STATUSES, controlIdsInTitle, loadControls } from './controls.ts';

const ROOT = resolve(import.meta.dirname, '..');

const HELP = `Usage: node scripts/security-page.ts [options] [report]

Writes docs/SECURITY.md from docs/security/controls.yaml and a vitest JSON report
(default: test-results/vitest.json; create one with
  npx vitest run --reporter=json --outputFile=test-results/vitest.json).

A control appears as implemented only if controls.yaml says so and the report holds at
least one passing test titled "[ID] ..." and no failing one; every test prefix it lists
must match a passing test. Otherwise the offending ids are printed and nothing is written.

Options:
  --check             validate only; write nothing
  --controls <path>   controls file (default: docs/security/controls.yaml)
  --out <path>        page to write (default: docs/SECURITY.md)
  --help              show this help

Exit codes: 0 page written (or valid with --check), 1 a claim no passing test proves,
2 unusable input (bad arguments, missing report, invalid controls file).`;

// Only the fields the page needs; vitest adds many more, and they may change between versions.
const reportSchema = z.object({
  testResults: z.array(
    z.object({
      assertionResults: z.array(z.object({ fullName: z.string(), title: z.string(), status: z.string() })),
    }),
  ),
});
type Report = z.infer<typeof reportSchema>;

interface TestName {
  title: string;
  fullName: string;
}

interface Evidence {
  /** The passing and failing tests that claim the control. */
  passed: TestName[];
  failed: TestName[];
}

interface RunTotals {
  tests: number;
  passed: number;
  failed: number;
}

class InputError extends Error {}

function readReport(path: string): Report {
  if (!existsSync(path)) {
    throw new InputError(`no test report at ${path}; run: npx vitest run --reporter=json --outputFile=${path}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InputError(`${path} is not JSON: ${(error as Error).message}`);
  }
  const result = reportSchema.safeParse(json);
  if (!result.success) throw new InputError(`${path} is not a vitest JSON report: ${result.error.issues[0]?.message}`);
  return result.data;
}

function collectEvidence(report: Report): { evidence: Map<string, Evidence>; totals: RunTotals } {
  const evidence = new Map<string, Evidence>();
  const totals: RunTotals = { tests: 0, passed: 0, failed: 0 };
  for (const test of report.testResults.flatMap((file) => file.assertionResults)) {
    totals.tests += 1;
    if (test.status === 'passed') totals.passed += 1;
    if (test.status === 'failed') totals.failed += 1;
    // The test's own title names its control; a describe-level prefix counts when it does not.
    const ids = controlIdsInTitle(test.title);
    for (const id of ids.length > 0 ? ids : controlIdsInTitle(test.fullName)) {
      const entry = evidence.get(id) ?? { passed: [], failed: [] };
      if (test.status === 'passed') entry.passed.push(test);
      if (test.status === 'failed') entry.failed.push(test);
      evidence.set(id, entry);
    }
  }
  return { evidence, totals };
}

function judge(controls: ControlsFile, evidence: Map<string, Evidence>): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const known = new Set(controls.controls.map((control) => control.id));
  for (const id of evidence.keys()) {
    if (!known.has(id)) errors.push(`${id}: test titles name a control that controls.yaml does not hold`);
  }
  for (const control of controls.controls) {
    const { passed, failed } = evidence.get(control.id) ?? { passed: [], failed: [] };
    // A partial claim is still a claim: it needs the same evidence as a full one.
    if (control.status !== 'planned') {
      if (passed.length === 0) errors.push(`${control.id}: marked ${control.status} but no passing test titled [${control.id}] is in the report`);
      if (failed.length > 0) errors.push(`${control.id}: marked ${control.status} but ${failed.length} test(s) titled [${control.id}] failed`);
      for (const prefix of control.tests) {
        const matched = passed.some((test) => test.title.startsWith(prefix) || test.fullName.startsWith(prefix));
        if (!matched) errors.push(`${control.id}: listed test "${prefix}" has no passing test in the report`);
      }
    } else if (passed.length > 0) {
      warnings.push(`${control.id}: has tests but is not marked implemented (${passed.length} passing)`);
    }
  }
  return { errors, warnings };
}

function cell(value: string): string {
  return value.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function displayPath(path: string): string {
  const fromRoot = relative(ROOT, path);
  return fromRoot.startsWith('..') || isAbsolute(fromRoot) ? path : fromRoot;
}

function evidenceCell(entry: Evidence | undefined): string {
  if (!entry || entry.passed.length + entry.failed.length === 0) return '—';
  const parts = [`${entry.passed.length} passing`];
  if (entry.failed.length > 0) parts.push(`${entry.failed.length} failing`);
  return parts.join(', ');
}

function controlRow(control: Control, entry: Evidence | undefined): string {
  const enforced = control.enforced_in.length > 0 ? control.enforced_in.map((path) => `\`${path}\``).join(', ') : '—';
  return `| ${control.id} | ${cell(control.title)} | ${control.star ? '★' : ''} | ${control.status} | ${control.asvs.join(', ') || '—'} | ${evidenceCell(entry)} | ${cell(enforced)} |`;
}

function render(controls: ControlsFile, evidence: Map<string, Evidence>, totals: RunTotals, sources: { controls: string; report: string }): string {
  const lines = [
    '# Enclave security controls',
    '',
    `<!-- Generated by scripts/security-page.ts from ${sources.controls} and ${sources.report}. Do not edit by hand. -->`,
    '',
    'Every control in the catalogue, with its status and the evidence for it. A control is listed as',
    '**implemented** only when the test run holds at least one passing test titled `[ID] …` and no',
    'failing one; the generator refuses to write this page otherwise. ★ marks a promise no comparable',
    `product makes today. ASVS ids refer to OWASP ASVS ${controls.asvs_version}.`,
    '',
    `Test run: ${totals.tests} tests, ${totals.passed} passed, ${totals.failed} failed.`,
    '',
    '## Summary',
    '',
    '| Status | Controls |',
    '|---|---|',
    ...STATUSES.map((status) => `| ${status} | ${controls.controls.filter((control) => control.status === status).length} |`),
    `| **total** | ${controls.controls.length} |`,
  ];
  for (const [area, areaTitle] of Object.entries(controls.areas)) {
    lines.push('', `## ${area} — ${areaTitle}`, '', '| ID | Control | ★ | Status | ASVS 5.0 | Evidence | Enforced in |', '|---|---|---|---|---|---|---|');
    for (const control of controls.controls.filter((candidate) => candidate.area === area)) {
      lines.push(controlRow(control, evidence.get(control.id)));
    }
  }
  return `${lines.join('\n')}\n`;
}

function main(argv: string[]): number {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        check: { type: 'boolean', default: false },
        controls: { type: 'string', default: resolve(ROOT, 'docs/security/controls.yaml') },
        out: { type: 'string', default: resolve(ROOT, 'docs/SECURITY.md') },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    console.error(`security page: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (args.values.help) {
    console.log(HELP);
    return 0;
  }
  if (args.positionals.length > 1) {
    console.error(`security page: expected at most one report path\n\n${HELP}`);
    return 2;
  }
  const reportPath = resolve(args.positionals[0] ?? resolve(ROOT, 'test-results/vitest.json'));
  const controlsPath = resolve(args.values.controls);
  let controls: ControlsFile;
  let report: Report;
  try {
    controls = loadControls(controlsPath);
    report = readReport(reportPath);
  } catch (error) {
    if (error instanceof ControlsError || error instanceof InputError) {
      console.error(`security page: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const { evidence, totals } = collectEvidence(report);
  const { errors, warnings } = judge(controls, evidence);
  for (const warning of warnings) console.error(`warning: ${warning}`);
  for (const error of errors) console.error(`error: ${error}`);
  const counts = STATUSES.map((status) => `${controls.controls.filter((control) => control.status === status).length} ${status}`).join(', ');
  if (errors.length > 0) {
    console.error(`security page: REFUSED — ${errors.length} claim(s) not proven by ${displayPath(reportPath)}; nothing written`);
    return 1;
  }
  const summary = `security page: ${controls.controls.length} controls (${counts}), ${warnings.length} warning(s)`;
  if (args.values.check) {
    console.log(`${summary}; check passed, nothing written`);
    return 0;
  }
  const outPath = resolve(args.values.out);
  writeFileSync(outPath, render(controls, evidence, totals, { controls: displayPath(controlsPath), report: displayPath(reportPath) }));
  console.log(`${summary}; wrote ${displayPath(outPath)}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
