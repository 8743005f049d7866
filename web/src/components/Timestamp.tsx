const format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

interface TimestampProps {
  at: string | null;
  /** Shown when there is no time, for example a key never used. */
  absent?: string;
}

/** A time in the reader's locale; hovering shows the exact UTC value the server sent. */
export function Timestamp({ at, absent = '—' }: TimestampProps) {
  if (at === null) return <span className="muted">{absent}</span>;
  return (
    <time dateTime={at} title={at}>
      {format.format(new Date(at))}
    </time>
  );
}
