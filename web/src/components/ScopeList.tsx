interface ScopeListProps {
  scopes: readonly string[];
}

/** The scopes a token or client holds, as the short names the consent screen and token form use. */
export function ScopeList({ scopes }: ScopeListProps) {
  if (scopes.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="scope-list">
      {scopes.map((scope) => (
        <li key={scope}>
          <code>{scope}</code>
        </li>
      ))}
    </ul>
  );
}
