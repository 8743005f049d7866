import type { ReactNode } from 'react';
import { FieldMessages } from './FieldMessages.tsx';

/** The attributes that tie a control to its label, note and messages for assistive technology. */
export interface FieldControlProps {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby': string;
}

interface FieldProps {
  id: string;
  label: ReactNode;
  /** Standing guidance under the control, read out with it before any messages. */
  note?: ReactNode;
  messages: readonly string[];
  /** Renders the control itself, so an input, a textarea or anything else gets the same wiring. */
  children(control: FieldControlProps): ReactNode;
}

export function Field({ id, label, note, messages, children }: FieldProps) {
  const noteId = `${id}-note`;
  const messagesId = `${id}-messages`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': messages.length > 0, 'aria-describedby': note ? `${noteId} ${messagesId}` : messagesId })}
      {note && (
        <p id={noteId} className="field-note">
          {note}
        </p>
      )}
      <FieldMessages id={messagesId} messages={messages} />
    </div>
  );
}
