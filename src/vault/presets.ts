import { AppError } from '../core/errors.ts';
import type { Secret } from './schema.ts';

/** Common services, so people pick a name instead of looking up which header each one wants. */
export const PRESETS: Record<string, { label: string; kind: Secret['kind']; header?: string }> = {
  openai: { label: 'OpenAI', kind: 'bearer' },
  anthropic: { label: 'Anthropic', kind: 'header', header: 'x-api-key' },
  gemini: { label: 'Google Gemini', kind: 'header', header: 'x-goog-api-key' },
  github: { label: 'GitHub', kind: 'bearer' },
  slack: { label: 'Slack', kind: 'bearer' },
  stripe: { label: 'Stripe', kind: 'bearer' },
  hubspot: { label: 'HubSpot', kind: 'bearer' },
  notion: { label: 'Notion', kind: 'bearer' },
};

/** A preset fixes the kind (and header) of the secret, so a mismatch is refused rather than stored. */
export function checkPreset(preset: string | undefined, secret: Secret): void {
  if (preset === undefined) return;
  const known = PRESETS[preset];
  if (!known) throw new AppError(400, 'unknown_preset', `no preset named ${preset}; known: ${Object.keys(PRESETS).join(', ')}`);
  if (known.kind !== secret.kind || (known.header !== undefined && secret.kind === 'header' && secret.header.toLowerCase() !== known.header)) {
    throw new AppError(400, 'preset_mismatch', `${known.label} credentials are of kind ${known.kind}${known.header ? ` with header ${known.header}` : ''}`);
  }
}
