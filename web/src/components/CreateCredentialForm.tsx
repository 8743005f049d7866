import { type FormEvent, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import type { EnclaveClient } from '../api/client.ts';
import { type Credential, type CredentialKind, type CredentialPreset, type CredentialScope, type CredentialSecret, createCredential } from '../api/credentials.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { TextField } from './TextField.tsx';

const OTHER_KINDS: { kind: CredentialKind; label: string }[] = [
  { kind: 'bearer', label: 'Other service: bearer token' },
  { kind: 'header', label: 'Other service: API key in a header' },
  { kind: 'basic', label: 'Other service: username and password' },
  { kind: 'oauth_client', label: 'Other service: OAuth client' },
];

const FIELD_LABELS = { name: 'Name', scopes: 'Workflows allowed to use it' };

/** "Weekly digest, Nightly report/summarise" → one scope per entry; "workflow/node" narrows it to one node. */
export function parseScopes(text: string): CredentialScope[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const [workflow, node] = entry.split('/').map((part) => part.trim());
      return node ? { workflow: workflow!, node } : { workflow: workflow! };
    });
}

interface CreateCredentialFormProps {
  client: EnclaveClient;
  presets: readonly CredentialPreset[];
  onCreated(credential: Credential): void;
}

export function CreateCredentialForm({ client, presets, onCreated }: CreateCredentialFormProps) {
  const [choice, setChoice] = useState(presets[0] ? `preset:${presets[0].id}` : 'kind:bearer');
  const [name, setName] = useState('');
  const [fields, setFields] = useState({ token: '', header: '', value: '', username: '', password: '', clientId: '', clientSecret: '', tokenUrl: '' });
  const [scopes, setScopes] = useState('');
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [saving, setSaving] = useState(false);

  const preset = choice.startsWith('preset:') ? presets.find((candidate) => `preset:${candidate.id}` === choice) : undefined;
  const kind: CredentialKind = preset?.kind ?? (choice.slice('kind:'.length) as CredentialKind);
  const header = preset?.header ?? fields.header;
  const set = (field: keyof typeof fields) => (event: { target: { value: string } }) => setFields((current) => ({ ...current, [field]: event.target.value }));

  function secret(): CredentialSecret {
    if (kind === 'bearer') return { kind, token: fields.token };
    if (kind === 'header') return { kind, header, value: fields.value };
    if (kind === 'basic') return { kind, username: fields.username, password: fields.password };
    return { kind, clientId: fields.clientId, clientSecret: fields.clientSecret, tokenUrl: fields.tokenUrl };
  }

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaving(true);
    setFailure(undefined);
    try {
      const created = await createCredential(client, { name, ...(preset ? { preset: preset.id } : {}), secret: secret(), scopes: parseScopes(scopes) });
      // The secret leaves the page with the form's state: nothing keeps a copy.
      setFields({ token: '', header: '', value: '', username: '', password: '', clientId: '', clientSecret: '', tokenUrl: '' });
      setName('');
      setScopes('');
      onCreated(created);
    } catch (error) {
      setFailure(toApiError(error));
    } finally {
      setSaving(false);
    }
  }

  const problems = (path: string) => failure?.problemsWith(path) ?? [];
  const secretField = (field: keyof typeof fields, label: string, type: 'password' | 'text' | 'url' = 'password') => (
    <TextField id={`new-credential-${field}`} label={label} messages={problems(`secret/${field}`)} name={field} type={type} value={fields[field]} onChange={set(field)} autoComplete="off" spellCheck={false} />
  );

  return (
    <form className="form" onSubmit={save} noValidate aria-label="Add a credential">
      <div className="field">
        <label htmlFor="new-credential-service">Service</label>
        <select id="new-credential-service" value={choice} onChange={(event) => setChoice(event.target.value)}>
          {presets.map((candidate) => (
            <option key={candidate.id} value={`preset:${candidate.id}`}>
              {candidate.label}
            </option>
          ))}
          {OTHER_KINDS.map((other) => (
            <option key={other.kind} value={`kind:${other.kind}`}>
              {other.label}
            </option>
          ))}
        </select>
      </div>
      <TextField id="new-credential-name" label={FIELD_LABELS.name} messages={problems('name')} name="name" value={name} onChange={(event) => setName(event.target.value)} placeholder="for example: OpenAI production" autoComplete="off" />
      {kind === 'bearer' && secretField('token', 'Token')}
      {kind === 'header' && (
        <>
          {!preset?.header && secretField('header', 'Header name', 'text')}
          {secretField('value', preset?.header ? `API key (sent as ${preset.header})` : 'Header value')}
        </>
      )}
      {kind === 'basic' && (
        <>
          {secretField('username', 'Username', 'text')}
          {secretField('password', 'Password')}
        </>
      )}
      {kind === 'oauth_client' && (
        <>
          {secretField('clientId', 'Client id', 'text')}
          {secretField('clientSecret', 'Client secret')}
          {secretField('tokenUrl', 'Token URL (https)', 'url')}
        </>
      )}
      <TextField
        id="new-credential-scopes"
        label={FIELD_LABELS.scopes}
        note="Workflow names separated by commas; “workflow/node” allows one node only. Left empty, no workflow can use it yet."
        messages={failure?.problems.filter((problem) => problem.path.startsWith('/scopes')).map((problem) => problem.message) ?? []}
        name="scopes"
        value={scopes}
        onChange={(event) => setScopes(event.target.value)}
        autoComplete="off"
      />
      {failure && <ErrorNotice error={failure} action="add the credential" fieldLabels={FIELD_LABELS} />}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={saving}>
          {saving ? 'Saving…' : 'Add credential'}
        </button>
        <p className="form-status muted">The secret is encrypted at once and never shown again, not even to you.</p>
      </div>
    </form>
  );
}
