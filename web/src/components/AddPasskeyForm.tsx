import { useState } from 'react';
import { addPasskey, type Passkey } from '../api/passkeys.ts';
import { PasswordPrompt } from './PasswordPrompt.tsx';
import { TextField } from './TextField.tsx';

interface AddPasskeyFormProps {
  onAdded(passkey: Passkey): void;
  onCancel(): void;
}

/**
 * Adding a passkey changes how the account can be signed in to, so it asks for the
 * current password first (a session cookie alone must not be enough); the browser then
 * asks the person to create the passkey with their fingerprint, face or PIN.
 */
export function AddPasskeyForm({ onAdded, onCancel }: AddPasskeyFormProps) {
  const [name, setName] = useState('');
  return (
    <PasswordPrompt
      id="passkey-password"
      explanation="Enter your password, then follow your browser’s prompt. Your other sessions are signed out."
      submitLabel="Create passkey"
      busyLabel="Waiting for your passkey…"
      action="add a passkey"
      onSubmit={async (password) => onAdded(await addPasskey(password, name.trim()))}
      onCancel={onCancel}
    >
      <TextField
        id="passkey-name"
        label="Name"
        note="So you can tell your passkeys apart, for example “Work laptop”."
        messages={[]}
        name="passkey-name"
        value={name}
        maxLength={64}
        onChange={(event) => setName(event.target.value)}
        autoComplete="off"
      />
    </PasswordPrompt>
  );
}
