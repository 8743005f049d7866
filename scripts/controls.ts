// The machine-readable controls catalogue (docs/security/controls.yaml): its schema, its
// loader, and the parsers shared by the security page generator and the controls tests.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** A control id such as `SES-04`: three capital letters for the area, two digits. */
const CONTROL_ID = /^[A-Z]{3}-\d{2}$/;
/** An OWASP ASVS 5.0 requirement id, chapter.section.requirement, for example `V7.4.1`. */
const ASVS_ID = /^V\d{1,2}\.\d{1,2}\.\d{1,2}$/;

export const STATUSES = ['implemented', 'partial', 'planned'] as const;

const text = z.string().trim().min(1);

const controlSchema = z
  .strictObject({
    id: z.string().regex(CONTROL_ID),
    area: z.string().regex(/^[A-Z]{3}$/),
    title: text.max(60),
    requirement: text,
    proof: text.optional(),
    star: z.literal(true).optional(),
    asvs: z.array(z.string().regex(ASVS_ID)),
    notes: text.optional(),
    status: z.enum(STATUSES),
    enforced_in: z.array(text),
    tests: z.array(text),
  })
  .superRefine((control, ctx) => {
    if (!control.id.startsWith(`${control.area}-`)) {
      ctx.addIssue({ code: 'custom', path: ['area'], message: `${control.id} must belong to area ${control.id.slice(0, 3)}` });
    }
    // A test prefix that names another control would let one control borrow another's evidence.
    for (const [index, prefix] of control.tests.entries()) {
      if (!prefix.startsWith(`[${control.id}]`)) {
        ctx.addIssue({ code: 'custom', path: ['tests', index], message: `must start with [${control.id}]` });
      }
    }
    if (control.status === 'implemented' && control.tests.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['tests'], message: `${control.id} is implemented but names no test` });
    }
  });

const controlsFileSchema = z
  .strictObject({
    asvs_version: z.literal('5.0.0'),
    areas: z.record(z.string().regex(/^[A-Z]{3}$/), text),
    controls: z.array(controlSchema).min(1),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    for (const [index, control] of file.controls.entries()) {
      if (seen.has(control.id)) ctx.addIssue({ code: 'custom', path: ['controls', index, 'id'], message: `duplicate id ${control.id}` });
      seen.add(control.id);
      if (!(control.area in file.areas)) {
        ctx.addIssue({ code: 'custom', path: ['controls', index, 'area'], message: `area ${control.area} is not declared under areas` });
      }
    }
  });

export type Control = z.infer<typeof controlSchema>;
export type ControlsFile = z.infer<typeof controlsFileSchema>;

export class ControlsError extends Error {
  override name = 'ControlsError';
}

export function parseControls(source: string, origin: string): ControlsFile {
  const result = controlsFileSchema.safeParse(parseYaml(source));
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new ControlsError(`${origin} does not match the controls schema:\n${issues}`);
  }
  return result.data;
}

export function loadControls(path: string): ControlsFile {
  return parseControls(readFileSync(path, 'utf8'), path);
}

/**
 * The control ids a test title claims: every `[XXX-NN]` at the very start, so one test may
 * prove several controls (`[SES-03][SES-04] …`) while an id mentioned later proves nothing.
 */
export function controlIdsInTitle(title: string): string[] {
  const lead = /^(?:\s*\[[A-Z]{3}-\d{2}\])+/.exec(title);
  if (!lead) return [];
  return [...lead[0].matchAll(/\[([A-Z]{3}-\d{2})\]/g)].map((match) => match[1] as string);
}

/** One control as the human catalogue (CONTROLS.md) states it. */
export interface CatalogueControl {
  id: string;
  area: string;
  star: boolean;
  requirement: string;
  proof?: string;
}

export interface Catalogue {
  areas: Record<string, string>;
  controls: CatalogueControl[];
}

/** Reads CONTROLS.md: `## AREA — title` headings and `- ID [★] requirement. Proof: …` items. */
export function parseCatalogue(markdown: string): Catalogue {
  const areas: Record<string, string> = {};
  const controls: CatalogueControl[] = [];
  for (const line of markdown.split('\n')) {
    const heading = /^## ([A-Z]{3}) — (.+)$/.exec(line);
    if (heading) {
      areas[heading[1] as string] = (heading[2] as string).trim();
      continue;
    }
    const item = /^- ([A-Z]{3})-(\d{2}) (★ )?(.+)$/.exec(line);
    if (!item) continue;
    const body = item[4] as string;
    const at = body.indexOf(' Proof: ');
    controls.push({
      id: `${item[1]}-${item[2]}`,
      area: item[1] as string,
      star: item[3] !== undefined,
      requirement: (at < 0 ? body : body.slice(0, at)).trim(),
      ...(at < 0 ? {} : { proof: body.slice(at + ' Proof: '.length).trim() }),
    });
  }
  return { areas, controls };
}
