/** "1 event", "2 events": English nouns the dashboard counts, all of which take a plain -s. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
