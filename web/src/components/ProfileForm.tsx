import { type FormEvent, useState } from 'react';
import { type ApiError, toApiError } from '../api/api-error.ts';
import type { EnclaveClient } from '../api/client.ts';
import type { Profile, ProfileUpdate } from '../api/types.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { Field } from './Field.tsx';
import { TextField } from './TextField.tsx';
import { Timestamp } from './Timestamp.tsx';

const FIELD_LABELS = { displayName: 'Display name', description: 'Description' };

interface ProfileFormProps {
  client: EnclaveClient;
  profile: Profile;
  onSaved(profile: Profile): void;
}

/** Only changed fields are sent, so the audit log records what actually changed. */
function changes(profile: Profile, displayName: string, description: string): ProfileUpdate {
  return {
    ...(displayName === profile.displayName ? {} : { displayName }),
    ...(description === profile.description ? {} : { description }),
  };
}

export function ProfileForm({ client, profile, onSaved }: ProfileFormProps) {
  const [displayName, setDisplayName] = useState(profile.displayName);
  const [description, setDescription] = useState(profile.description);
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [saving, setSaving] = useState(false);
  const [savedAt, setSavedAt] = useState<string | undefined>();
  const update = changes(profile, displayName, description);
  const changed = Object.keys(update).length > 0;

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaving(true);
    setFailure(undefined);
    setSavedAt(undefined);
    try {
      const saved = await client.updateProfile(update);
      setDisplayName(saved.displayName);
      setDescription(saved.description);
      setSavedAt(saved.updatedAt);
      onSaved(saved);
    } catch (error) {
      setFailure(toApiError(error));
    } finally {
      setSaving(false);
    }
  }

  const displayNameProblems = failure?.problemsWith('displayName') ?? [];
  const descriptionProblems = failure?.problemsWith('description') ?? [];

  return (
    <form className="form" onSubmit={save} noValidate>
      <TextField
        id="profile-display-name"
        label={FIELD_LABELS.displayName}
        messages={displayNameProblems}
        name="displayName"
        value={displayName}
        onChange={(event) => setDisplayName(event.target.value)}
      />
      <Field id="profile-description" label={FIELD_LABELS.description} messages={descriptionProblems}>
        {(control) => (
          <textarea {...control} name="description" rows={4} value={description} onChange={(event) => setDescription(event.target.value)} />
        )}
      </Field>
      {failure && <ErrorNotice error={failure} action="edit the profile" fieldLabels={FIELD_LABELS} />}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={!changed || saving}>
          {saving ? 'Saving…' : 'Save profile'}
        </button>
        <p className="form-status" role="status">
          {savedAt ? (
            <>
              Saved at <Timestamp at={savedAt} />.
            </>
          ) : (
            <span className="muted">
              Last changed <Timestamp at={profile.updatedAt} />
            </span>
          )}
        </p>
      </div>
    </form>
  );
}
