import { FieldMessages } from './FieldMessages.tsx';

interface ScopeChoicesProps {
  id: string;
  legend: string;
  scopes: readonly { name: string; description: string }[];
  chosen: readonly string[];
  onChange(chosen: string[]): void;
  messages: readonly string[];
}

/** The MCP scopes as checkboxes, each with what it allows (AIC-07); used by the consent screen and the token form. */
export function ScopeChoices({ id, legend, scopes, chosen, onChange, messages }: ScopeChoicesProps) {
  const messagesId = `${id}-messages`;
  return (
    <fieldset className="scope-choices" aria-describedby={messagesId} aria-invalid={messages.length > 0}>
      <legend>{legend}</legend>
      {scopes.map((scope) => {
        const inputId = `${id}-${scope.name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
        return (
          <div key={scope.name} className="scope-choice">
            <input
              id={inputId}
              type="checkbox"
              name="scopes"
              value={scope.name}
              checked={chosen.includes(scope.name)}
              aria-describedby={`${inputId}-description`}
              onChange={(event) =>
                onChange(event.target.checked ? [...chosen, scope.name] : chosen.filter((name) => name !== scope.name))
              }
            />
            <label htmlFor={inputId}>
              <code>{scope.name}</code>
              <span id={`${inputId}-description`} className="scope-description">
                {scope.description}
              </span>
            </label>
          </div>
        );
      })}
      <FieldMessages id={messagesId} messages={messages} />
    </fieldset>
  );
}
