interface IdentifierProps {
  value: string;
}

/** A long id, shortened on screen by CSS only, so selecting and copying it still yields the whole id. */
export function Identifier({ value }: IdentifierProps) {
  return (
    <code className="identifier" title={value}>
      {value}
    </code>
  );
}
