import { useEffect, useRef } from 'react';
import { CHALLENGE_URL } from '../proof-of-work.ts';

interface ProofOfWorkFieldProps {
  /** The solved payload for the form's `altcha` field, or undefined while there is none. */
  onSolved(payload: string | undefined): void;
}

interface StateChange {
  state: string;
  payload?: string | null;
}

/**
 * WEB-06: solves the server's proof-of-work challenge as soon as the form appears, so nobody
 * has to tick a box. A solution is good for one request: a form remounts this (a new `key`)
 * after each submission, and an expired challenge is solved again at once.
 */
export function ProofOfWorkField({ onSolved }: ProofOfWorkFieldProps) {
  const widgetRef = useRef<HTMLElementTagNameMap['altcha-widget']>(null);

  useEffect(() => {
    const widget = widgetRef.current;
    if (!widget) return;
    const changed = (event: Event) => {
      const { state, payload } = (event as CustomEvent<StateChange>).detail;
      onSolved(state === 'verified' && payload ? payload : undefined);
    };
    const expired = () => {
      onSolved(undefined);
      void widget.verify();
    };
    widget.addEventListener('statechange', changed);
    widget.addEventListener('expired', expired);
    return () => {
      widget.removeEventListener('statechange', changed);
      widget.removeEventListener('expired', expired);
      onSolved(undefined);
    };
  }, [onSolved]);

  return <altcha-widget ref={widgetRef} challenge={CHALLENGE_URL} auto="onload" name="altcha" className="proof-of-work" />;
}
