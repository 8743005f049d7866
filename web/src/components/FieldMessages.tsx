interface FieldMessagesProps {
  /** Referenced by the input's aria-describedby, so screen readers read the messages with the field. */
  id: string;
  messages: readonly string[];
}

export function FieldMessages({ id, messages }: FieldMessagesProps) {
  return (
    <div id={id} className="field-messages">
      {messages.map((message, index) => (
        <p key={`${index}:${message}`} className="field-message">
          {message}
        </p>
      ))}
    </div>
  );
}
