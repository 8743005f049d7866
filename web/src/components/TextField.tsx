import type { InputHTMLAttributes, ReactNode } from 'react';
import { Field } from './Field.tsx';

// Field supplies these, so a caller cannot let them drift from the label and messages.
type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'aria-invalid' | 'aria-describedby'>;

interface TextFieldProps extends InputProps {
  id: string;
  label: ReactNode;
  note?: ReactNode;
  messages: readonly string[];
}

/** A labelled single-line input with its note and messages, the shape of nearly every form field here. */
export function TextField({ id, label, note, messages, ...input }: TextFieldProps) {
  return (
    <Field id={id} label={label} note={note} messages={messages}>
      {(control) => <input {...control} {...input} />}
    </Field>
  );
}
