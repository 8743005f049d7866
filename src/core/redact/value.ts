import { sensitiveKeyKind } from './keys.ts';
import { mask } from './rule.ts';
import { redactPlainText } from './text.ts';

/** Stands in for a reference back to an object that contains it. */
export const CIRCULAR = '[Circular]';

type Container = Record<string, unknown> | unknown[];

interface Frame {
  /** The object as given, which identifies it for cycle detection. */
  original: object;
  source: Container;
  target: Container;
  keys: string[];
  next: number;
}

function hasToJson(value: object): value is { toJSON(): unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

// What JSON.stringify would see: toJSON() applied (Dates become strings), and Errors, whose
// message and stack are not enumerable, as plain objects so their text is kept and redacted.
function jsonView(value: object): unknown {
  if (hasToJson(value)) return value.toJSON();
  if (value instanceof Error) {
    const view: Record<string, unknown> = { ...value, name: value.name, message: value.message, stack: value.stack };
    if (value.cause !== undefined) view.cause = value.cause;
    return view;
  }
  return value;
}

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

function redactLeaf(value: unknown): unknown {
  if (typeof value === 'string') return redactPlainText(value);
  // A card or Aadhaar number stored as a number is still one.
  if (typeof value === 'number' || typeof value === 'bigint') {
    const text = String(value);
    const redacted = redactPlainText(text);
    return redacted === text ? value : redacted;
  }
  return value;
}

function assign(target: Container, key: string, value: unknown): void {
  // A JSON "__proto__" key is data; plain assignment would replace the copy's prototype.
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else (target as Record<string, unknown>)[key] = value;
}

function emptyLike(source: Container): Container {
  return Array.isArray(source) ? new Array<unknown>(source.length) : {};
}

/**
 * A deep copy of a JSON-like value with values under secret-named keys masked and every
 * string masked by content. Iterative, so deep nesting cannot overflow the stack; a
 * reference back to an ancestor becomes CIRCULAR, and an object reached twice by other paths
 * is copied once and shared, as in the input.
 */
export function redactValue(value: unknown): unknown {
  if (!isContainer(value)) return redactLeaf(value);
  const copies = new Map<object, Container>();
  const onPath = new Set<object>();
  const stack: Frame[] = [];

  const enter = (original: object): unknown => {
    if (onPath.has(original)) return CIRCULAR;
    const done = copies.get(original);
    if (done) return done;
    const source = jsonView(original);
    if (!isContainer(source)) return redactLeaf(source);
    const target = emptyLike(source);
    copies.set(original, target);
    onPath.add(original);
    stack.push({ original, source, target, keys: Object.keys(source), next: 0 });
    return target;
  };

  const root = enter(value);
  while (stack.length > 0) {
    const frame = stack.at(-1)!;
    const key = frame.keys[frame.next++];
    if (key === undefined) {
      onPath.delete(frame.original);
      stack.pop();
      continue;
    }
    const child = (frame.source as Record<string, unknown>)[key];
    const kind = Array.isArray(frame.source) ? undefined : sensitiveKeyKind(key);
    if (kind !== undefined && child !== undefined && child !== null && child !== '') {
      assign(frame.target, key, mask(kind));
    } else {
      assign(frame.target, key, isContainer(child) ? enter(child) : redactLeaf(child));
    }
  }
  return root;
}
