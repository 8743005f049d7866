import { type FormEvent, useCallback, useMemo, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import { JIT_ROLES, type JitRole, type NewSsoConnection, type SsoConnection, type SsoDomain, SsoSettingsClient } from '../api/sso.ts';
import { useApiQuery } from '../api/use-api-query.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { Field } from './Field.tsx';
import { TextField } from './TextField.tsx';
import { Timestamp } from './Timestamp.tsx';
import '../styles/sso.css';

/**
 * For owners (IDN-06): claim an email domain by publishing a TXT record, then connect the
 * organisation's SAML or OIDC identity provider to it. People at that domain then sign in
 * through it and join with the connection's default role.
 */
export function SingleSignOnSection({ workspaceId }: { workspaceId: string }) {
  const client = useMemo(() => new SsoSettingsClient(workspaceId), [workspaceId]);
  const overview = useApiQuery(useCallback(() => client.overview(), [client]));
  const settings = overview.result.state === 'loaded' ? overview.result.value : undefined;

  return (
    <section className="card" aria-labelledby="sso-settings-heading">
      <h2 id="sso-settings-heading">Single sign-on</h2>
      <p className="muted">
        Add your organisation’s email domain, prove you run it with a DNS record, then connect its identity provider. People with an
        address there sign in through it and join this workspace.
      </p>
      {overview.result.state === 'loading' && <p className="muted">Loading single sign-on settings…</p>}
      {overview.result.state === 'failed' && <ErrorNotice error={overview.result.error} action="manage single sign-on" />}
      {settings && (
        <div className="sso-settings">
          {settings.domains.map((domain) => (
            <DomainSettings
              key={domain.domain}
              client={client}
              domain={domain}
              connection={settings.connections.find((connection) => connection.domain === domain.domain)}
              onChanged={overview.reload}
            />
          ))}
          <AddDomainForm client={client} onAdded={overview.reload} />
        </div>
      )}
    </section>
  );
}

function AddDomainForm({ client, onAdded }: { client: SsoSettingsClient; onAdded(): void }) {
  const [domain, setDomain] = useState('');
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setFailure(undefined);
    try {
      await client.addDomain(domain.trim());
      setDomain('');
      onAdded();
    } catch (error) {
      setFailure(toApiError(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="form form-row" onSubmit={add} noValidate aria-label="Add a domain">
      <TextField
        id="sso-domain"
        label="Email domain"
        messages={failure?.problemsWith('domain') ?? []}
        name="domain"
        value={domain}
        placeholder="example.com"
        onChange={(event) => setDomain(event.target.value)}
        autoComplete="off"
      />
      <div className="form-actions">
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Adding…' : 'Add domain'}
        </button>
      </div>
      {failure && <ErrorNotice error={failure} action="add a domain" fieldLabels={{ domain: 'Email domain' }} />}
    </form>
  );
}

interface DomainSettingsProps {
  client: SsoSettingsClient;
  domain: SsoDomain;
  connection: SsoConnection | undefined;
  onChanged(): void;
}

function DomainSettings({ client, domain, connection, onChanged }: DomainSettingsProps) {
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);

  async function act(action: () => Promise<unknown>) {
    setBusy(true);
    setFailure(undefined);
    try {
      await action();
      onChanged();
    } catch (error) {
      setFailure(toApiError(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <article className="card" aria-label={`Domain ${domain.domain}`} data-domain={domain.domain}>
      <h3>{domain.domain}</h3>
      {domain.verifiedAt ? (
        <p className="muted">
          Verified <Timestamp at={domain.verifiedAt} />.
        </p>
      ) : (
        <>
          <p>Publish this TXT record in the domain’s DNS, then verify:</p>
          <dl className="dns-record">
            <dt>Name</dt>
            <dd>
              <code>{domain.txtName}</code>
            </dd>
            <dt>Value</dt>
            <dd>
              <code>{domain.txtValue}</code>
            </dd>
          </dl>
          <button type="button" className="button button-primary" disabled={busy} onClick={() => act(() => client.verifyDomain(domain.domain))}>
            Verify
          </button>
        </>
      )}
      {connection && (
        <>
          <ConnectionDetails connection={connection} />
          <button type="button" className="button button-small" disabled={busy} onClick={() => act(() => client.disconnect(connection.id))}>
            Delete connection
          </button>
        </>
      )}
      {domain.verifiedAt && !connection && <ConnectForm client={client} domain={domain.domain} onConnected={onChanged} />}
      {!connection && (
        <button type="button" className="button button-small" disabled={busy} onClick={() => act(() => client.removeDomain(domain.domain))}>
          Remove domain
        </button>
      )}
      {failure && <ErrorNotice error={failure} action="change single sign-on" />}
    </article>
  );
}

function ConnectionDetails({ connection }: { connection: SsoConnection }) {
  const rows: [string, string][] =
    connection.protocol === 'saml'
      ? [
          ['Protocol', 'SAML 2.0'],
          ['IdP entity id', connection.idpEntityId],
          ['IdP sign-in URL', connection.ssoUrl],
          ['IdP certificate (SHA-256)', connection.idpCertificateSha256],
          ['Our entity id (metadata URL)', connection.spEntityId],
          ['Our ACS URL', connection.acsUrl],
        ]
      : [
          ['Protocol', 'OpenID Connect'],
          ['Issuer', connection.issuer],
          ['Client id', connection.clientId],
          ['Redirect URI to register', connection.redirectUri],
        ];
  return (
    <dl className="dns-record" aria-label="Identity provider">
      {[...rows, ['New members join as', connection.defaultRole] as [string, string]].map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>
            <code>{value}</code>
          </dd>
        </div>
      ))}
    </dl>
  );
}

function ConnectForm({ client, domain, onConnected }: { client: SsoSettingsClient; domain: string; onConnected(): void }) {
  const [protocol, setProtocol] = useState<'saml' | 'oidc'>('saml');
  const [fields, setFields] = useState({ first: '', second: '', third: '' });
  // Least privilege by default, as for invitations.
  const [defaultRole, setDefaultRole] = useState<JitRole>('viewer');
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const labels =
    protocol === 'saml'
      ? { first: 'IdP entity id', second: 'IdP sign-in URL', third: 'IdP signing certificate (PEM)' }
      : { first: 'Issuer URL', second: 'Client id', third: 'Client secret' };
  const names = protocol === 'saml' ? { first: 'idpEntityId', second: 'ssoUrl', third: 'idpCertificate' } : { first: 'issuer', second: 'clientId', third: 'clientSecret' };

  async function connect(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setFailure(undefined);
    const connection: NewSsoConnection =
      protocol === 'saml'
        ? { protocol, idpEntityId: fields.first.trim(), ssoUrl: fields.second.trim(), idpCertificate: fields.third.trim(), defaultRole }
        : { protocol, issuer: fields.first.trim(), clientId: fields.second.trim(), clientSecret: fields.third, defaultRole };
    try {
      await client.connect(domain, connection);
      onConnected();
    } catch (error) {
      setFailure(toApiError(error));
      setBusy(false);
    }
  }

  const field = (key: 'first' | 'second' | 'third') => {
    const common = {
      id: `sso-${domain}-${key}`,
      label: labels[key],
      messages: failure?.problemsWith(names[key]) ?? [],
    };
    const change = (value: string) => setFields({ ...fields, [key]: value });
    // A PEM certificate spans lines, which a single-line input would drop.
    if (protocol === 'saml' && key === 'third') {
      return (
        <Field {...common}>
          {(control) => <textarea {...control} name={names[key]} rows={6} value={fields[key]} onChange={(event) => change(event.target.value)} />}
        </Field>
      );
    }
    return (
      <TextField
        {...common}
        name={names[key]}
        type={protocol === 'oidc' && key === 'third' ? 'password' : 'text'}
        value={fields[key]}
        onChange={(event) => change(event.target.value)}
        autoComplete="off"
      />
    );
  };
  const fieldLabels = { [names.first]: labels.first, [names.second]: labels.second, [names.third]: labels.third };

  return (
    <form className="form" onSubmit={connect} noValidate aria-label={`Connect an identity provider for ${domain}`}>
      <div className="field">
        <label htmlFor={`sso-${domain}-protocol`}>Protocol</label>
        <select id={`sso-${domain}-protocol`} value={protocol} onChange={(event) => setProtocol(event.target.value as 'saml' | 'oidc')}>
          <option value="saml">SAML 2.0</option>
          <option value="oidc">OpenID Connect</option>
        </select>
      </div>
      {field('first')}
      {field('second')}
      {field('third')}
      <div className="field">
        <label htmlFor={`sso-${domain}-role`}>New members join as</label>
        <select id={`sso-${domain}-role`} value={defaultRole} onChange={(event) => setDefaultRole(event.target.value as JitRole)}>
          {JIT_ROLES.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </select>
      </div>
      {failure && <ErrorNotice error={failure} action="connect an identity provider" fieldLabels={fieldLabels} />}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Connecting…' : 'Connect'}
        </button>
      </div>
    </form>
  );
}
