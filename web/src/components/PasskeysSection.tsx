import { useCallback, useState } from 'react';
import { type Passkey, passkeys as listPasskeys } from '../api/passkeys.ts';
import { useApiQuery } from '../api/use-api-query.ts';
import '../styles/passkeys.css';
import { AddPasskeyForm } from './AddPasskeyForm.tsx';
import { DataTable } from './DataTable.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { PasskeyRow } from './PasskeyRow.tsx';

interface PasskeysSectionProps {
  /** Adding or removing a passkey signs out the person's other sessions, which the page lists. */
  onOtherSessionsEnded(): void;
}

/** The Security page's passkeys (IDN-07): add one (after the password), name, list and remove them. */
export function PasskeysSection({ onOtherSessionsEnded }: PasskeysSectionProps) {
  const list = useApiQuery(useCallback(() => listPasskeys(), []));
  const [adding, setAdding] = useState(false);
  const [done, setDone] = useState<string | undefined>();

  const added = (passkey: Passkey) => {
    setAdding(false);
    setDone(`“${passkey.name}” added. Your other sessions were signed out.`);
    list.reload();
    onOtherSessionsEnded();
  };

  return (
    <section className="card" aria-labelledby="passkeys-heading">
      <div className="card-heading">
        <h2 id="passkeys-heading">Passkeys</h2>
        {!adding && (
          <button
            type="button"
            className="button button-small"
            onClick={() => {
              setDone(undefined);
              setAdding(true);
            }}
          >
            Add a passkey
          </button>
        )}
      </div>
      <p className="muted">
        Sign in with your device’s fingerprint, face or PIN instead of a password and code. A passkey only works on this site,
        so a look-alike sign-in page cannot use it.
      </p>
      <p className="form-status" role="status">
        {done}
      </p>
      {adding && <AddPasskeyForm onAdded={added} onCancel={() => setAdding(false)} />}
      {list.result.state === 'loading' && <p className="muted">Loading passkeys…</p>}
      {list.result.state === 'failed' && <ErrorNotice error={list.result.error} action="list your passkeys" />}
      {list.result.state === 'loaded' &&
        (list.result.value.length === 0 ? (
          <p className="muted">No passkeys yet.</p>
        ) : (
          <DataTable columns={['Name', 'Added', 'Last used']}>
            {list.result.value.map((passkey) => (
              <PasskeyRow
                key={passkey.id}
                passkey={passkey}
                onChanged={() => {
                  setDone(undefined);
                  list.reload();
                }}
                onRemoved={() => {
                  setDone(`“${passkey.name}” removed. Your other sessions were signed out.`);
                  list.reload();
                  onOtherSessionsEnded();
                }}
              />
            ))}
          </DataTable>
        ))}
    </section>
  );
}
