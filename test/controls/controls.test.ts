import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { type ControlsFile, ControlsError, controlIdsInTitle, loadControls, parseCatalogue, parseControls } from '../../scripts/controls.ts';
import { ROOT, runTypeScript } from './run-script.ts';

const CONTROLS_PATH = join(ROOT, 'docs/security/controls.yaml');
// CI clones the repository with the shared specification beside it; developers may not have it.
const CATALOGUE_PATH = resolve(ROOT, '../shared/CONTROLS.md');

const controls = loadControls(CONTROLS_PATH);
const testSources = readdirSync(join(ROOT, 'test'), { recursive: true, encoding: 'utf8' })
  .filter((path) => path.endsWith('.test.ts'))
  .map((path) => ({ path: join('test', path), source: readFileSync(join(ROOT, 'test', path), 'utf8') }));

const scratch = mkdtempSync(join(tmpdir(), 'enclave-controls-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface SyntheticTest {
  title: string;
  status: 'passed' | 'failed' | 'skipped';
}

/** Writes a controls file and a vitest JSON report, runs the generator, and returns its result. */
function generate(name: string, edit: (file: ControlsFile) => void, tests: SyntheticTest[], extraArgs: string[]) {
  const file: ControlsFile = structuredClone(controls);
  // Each scenario starts from an all-planned catalogue, whatever the real file claims today.
  for (const control of file.controls) {
    control.status = 'planned';
    control.tests = [];
    control.enforced_in = [];
  }
  edit(file);
  const controlsPath = join(scratch, `${name}.controls.yaml`);
  const reportPath = join(scratch, `${name}.report.json`);
  const outPath = join(scratch, `${name}.SECURITY.md`);
  writeFileSync(controlsPath, stringify(file));
  const assertionResults = tests.map((test) => ({ ...test, fullName: test.title, ancestorTitles: [] }));
  writeFileSync(reportPath, JSON.stringify({ numTotalTests: tests.length, testResults: [{ name: 'synthetic.test.ts', assertionResults }] }));
  const result = runTypeScript('scripts/security-page.ts', ['--controls', controlsPath, '--out', outPath, ...extraArgs, reportPath]);
  return { ...result, outPath };
}

function markImplemented(id: string, tests: string[]) {
  return (file: ControlsFile) => {
    const control = file.controls.find((candidate) => candidate.id === id);
    if (!control) throw new Error(`no control ${id}`);
    control.status = 'implemented';
    control.tests = tests;
  };
}

describe('controls catalogue', () => {
  it('[OPS-05] controls.yaml parses against the schema and numbers each area without gaps', () => {
    expect(controls.controls.length).toBeGreaterThan(0);
    for (const area of Object.keys(controls.areas)) {
      const numbers = controls.controls.filter((control) => control.area === area).map((control) => Number(control.id.slice(4)));
      expect(numbers, area).toEqual(numbers.map((_, index) => index + 1));
    }
  });

  it('[OPS-05] the schema refuses an implemented control that names no test', () => {
    const file = structuredClone(controls);
    markImplemented('OPS-05', [])(file);
    expect(() => parseControls(stringify(file), 'synthetic')).toThrow(ControlsError);
    markImplemented('OPS-05', ['[OPS-02] borrowed evidence'])(file);
    expect(() => parseControls(stringify(file), 'synthetic')).toThrow(/must start with \[OPS-05\]/);
  });

  it('[OPS-05] controls.yaml holds exactly the controls of CONTROLS.md, when the catalogue is beside the repository', () => {
    if (!existsSync(CATALOGUE_PATH)) return;
    const catalogue = parseCatalogue(readFileSync(CATALOGUE_PATH, 'utf8'));
    expect(controls.areas).toEqual(catalogue.areas);
    const ours = controls.controls.map(({ id, area, star, requirement, proof }) => ({ id, area, star: star === true, requirement, proof }));
    expect(ours).toEqual(catalogue.controls);
  });

  it('[OPS-05] every control id at the start of a test title names a control in controls.yaml', () => {
    const known = new Set(controls.controls.map((control) => control.id));
    const unknown = testSources.flatMap(({ path, source }) =>
      [...source.matchAll(/['"`]((?:\[[A-Z]{3}-\d{2}\])+)/g)]
        .flatMap((match) => controlIdsInTitle(match[1] as string))
        .filter((id) => !known.has(id))
        .map((id) => `${path}: ${id}`),
    );
    expect(unknown).toEqual([]);
  });

  it('[OPS-05] every implemented or partial control names tests present in the suite and files that exist', () => {
    const allSources = testSources.map(({ source }) => source).join('\n');
    // Partial claims are proven the same way as full ones: the security page refuses either without its tests.
    for (const control of controls.controls.filter((candidate) => candidate.status === 'implemented' || candidate.status === 'partial')) {
      expect(control.tests.length, control.id).toBeGreaterThan(0);
      for (const prefix of control.tests) expect(allSources.includes(prefix), `${control.id}: ${prefix}`).toBe(true);
    }
    for (const control of controls.controls) {
      for (const path of control.enforced_in) expect(existsSync(join(ROOT, path)), `${control.id}: ${path}`).toBe(true);
    }
  });
});

describe('security page generator', () => {
  it('[OPS-05] refuses an implemented control that no passing test proves, and writes nothing', () => {
    const unproven = generate('unproven', markImplemented('OPS-05', ['[OPS-05]']), [
      { title: '[OPS-05] the proof that fails', status: 'failed' },
      { title: '[OPS-05] the proof that was skipped', status: 'skipped' },
      { title: '[OPS-02] an unrelated passing test', status: 'passed' },
    ], []);
    expect(unproven.status).toBe(1);
    expect(unproven.stderr).toContain('OPS-05: marked implemented but no passing test titled [OPS-05]');
    expect(unproven.stderr).toMatch(/REFUSED/);
    expect(existsSync(unproven.outPath)).toBe(false);

    const checked = generate('unproven-check', markImplemented('OPS-05', ['[OPS-05]']), [], ['--check']);
    expect(checked.status).toBe(1);
    expect(checked.stderr).toContain('OPS-05: marked implemented but no passing test');
  });

  it('[OPS-05] refuses an implemented control whose proof also has a failing test or an unmatched listed test', () => {
    const mixed = generate('mixed', markImplemented('OPS-05', ['[OPS-05] the page', '[OPS-05] a test that does not exist']), [
      { title: '[OPS-05] the page is generated', status: 'passed' },
      { title: '[OPS-05] the page refuses', status: 'failed' },
    ], ['--check']);
    expect(mixed.status).toBe(1);
    expect(mixed.stderr).toContain('OPS-05: marked implemented but 1 test(s) titled [OPS-05] failed');
    expect(mixed.stderr).toContain('listed test "[OPS-05] a test that does not exist" has no passing test');
  });

  it('[OPS-05] refuses a report whose test titles name an unknown control', () => {
    const unknownId = `ZZZ-${99}`;
    const result = generate('unknown', () => {}, [{ title: `[${unknownId}] a test for nothing`, status: 'passed' }], ['--check']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${unknownId}: test titles name a control that controls.yaml does not hold`);
  });

  it('[OPS-05] lists a proven control as implemented with its evidence and warns about tested planned controls', () => {
    const result = generate('proven', markImplemented('OPS-05', ['[OPS-05] the page']), [
      { title: '[OPS-05] the page is generated', status: 'passed' },
      { title: '[OPS-05][OPS-03] the page and the lockfile', status: 'passed' },
      { title: '[OPS-02] the scanner flags a secret', status: 'passed' },
    ], []);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^security page: \d+ controls \(1 implemented, 0 partial, \d+ planned\), 2 warning\(s\); wrote /m);
    expect(result.stderr).toContain('warning: OPS-02: has tests but is not marked implemented (1 passing)');
    expect(result.stderr).toContain('warning: OPS-03: has tests but is not marked implemented (1 passing)');
    const page = readFileSync(result.outPath, 'utf8');
    expect(page).toMatch(/^\| OPS-05 \| Generated security page \| ★ \| implemented \| — \| 2 passing \| — \|$/m);
    expect(page).toMatch(/^\| OPS-02 \| .* \| planned \| V13\.3\.1 \| 1 passing \| — \|$/m);
    expect(page).toMatch(/^\| implemented \| 1 \|$/m);
  });

  it('[OPS-05] --check validates without writing and --help explains the exit codes', () => {
    const result = generate('check', () => {}, [], ['--check']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('check passed, nothing written');
    expect(existsSync(result.outPath)).toBe(false);
    const help = runTypeScript('scripts/security-page.ts', ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Exit codes: 0 page written');
    expect(runTypeScript('scripts/security-page.ts', ['--check', join(scratch, 'missing.json')]).status).toBe(2);
  });
});
