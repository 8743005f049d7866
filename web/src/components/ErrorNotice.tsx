import type { ApiError } from '../api/api-error.ts';

interface ErrorNoticeProps {
  error: ApiError;
  /** What the person tried, in their words ("edit the profile"), to make a refusal specific. */
  action?: string;
  /** Overrides the heading chosen from the error code. */
  heading?: string;
  /** Labels for body fields, so listed problems name what is on screen. */
  fieldLabels?: Readonly<Record<string, string>>;
}

/** A heading and an explanation for each error code the dashboard can run into. */
function explain(error: ApiError, action: string): { heading: string; explanation: string } {
  switch (error.code) {
    case 'invalid_token':
      return {
        heading: 'API key not accepted',
        explanation: 'The key is mistyped, expired or revoked. Check it, or ask a workspace owner for a new one.',
      };
    case 'unauthenticated':
      return { heading: 'Not signed in', explanation: 'Sign in again, or connect with a workspace API key.' };
    case 'forbidden':
      return {
        heading: 'Your role does not allow this',
        explanation: `Your role in this workspace cannot ${action}. An owner or admin can, or can give you a role that does.`,
      };
    case 'invalid_credentials':
      return { heading: 'Email address or password not recognised', explanation: 'Check both and try again.' };
    case 'email_not_verified':
      return {
        heading: 'Confirm your email address first',
        explanation: 'Open the confirmation link Enclave sent to this address, then sign in again.',
      };
    case 'sign_in_locked':
      return {
        heading: 'Sign-in paused for this account',
        explanation: 'There were too many failed attempts. Wait a while before trying again, or reset your password.',
      };
    case 'sign_up_disabled':
      return { heading: 'Sign-up is closed on this server', explanation: 'Ask the person who runs this Enclave to create your account.' };
    case 'last_owner':
      return {
        heading: 'A workspace needs an owner',
        explanation: 'This is the last owner. Make someone else an owner first, then change or remove this one.',
      };
    case 'mfa_required':
      return {
        heading: 'This workspace requires two-factor authentication',
        explanation: 'Its owners ask every member to sign in with an authenticator app. Set one up for your account, then come back.',
      };
    case 'invalid_code':
      return {
        heading: 'That code did not work',
        explanation: 'Codes from an authenticator app change every 30 seconds: check the time on your phone and use a fresh one. Each backup or emailed code works once.',
      };
    case 'reauthentication_failed':
      return { heading: 'Password not accepted', explanation: 'Enter the password you sign in with. Repeated mistakes pause changes for a while.' };
    case 'too_many_attempts':
    case 'no_pending_sign_in':
      return { heading: 'Sign in again', explanation: 'This sign-in expired or took too many codes. Start over with your password.' };
    case 'email_code_throttled':
      return {
        heading: 'Several codes were mailed just now',
        explanation: `Check your inbox (and spam folder) for the latest one${error.retryAfterSeconds === undefined ? '' : `, or ask again in ${error.retryAfterSeconds} seconds`}.`,
      };
    case 'sole_owner':
      return {
        heading: 'You are the only owner of a shared workspace',
        explanation: 'Make another member an owner of each such workspace, or delete it, then close your account.',
      };
    case 'confirmation_mismatch':
      return { heading: 'The confirmation does not match', explanation: 'Type it exactly as it is shown above the field.' };
    case 'account_closed':
      return { heading: 'Account closed', explanation: 'Your account is closed and every session of it has ended. A confirmation is on its way by mail.' };
    case 'owner_required':
      return { heading: 'Only an owner can do this', explanation: 'Owners alone can make, change or remove other owners.' };
    case 'workspace_not_found':
      return {
        heading: 'Workspace not found',
        explanation: 'No workspace with this id can be opened with this key. Check the id: a key only opens its own workspace.',
      };
    case 'rate_limited':
      return {
        heading: 'Too many requests',
        explanation:
          error.retryAfterSeconds === undefined
            ? 'Enclave is limiting requests from you for a moment. Wait, then try again.'
            : `Enclave is limiting requests from you. Try again in ${error.retryAfterSeconds} seconds.`,
      };
    case 'invalid_request':
      return { heading: 'Some values were not accepted', explanation: 'Correct the fields listed below and try again.' };
    case 'unreachable':
      return { heading: 'Enclave could not be reached', explanation: 'Check your network connection and that the server is running.' };
    default:
      return { heading: error.status >= 500 ? 'Something went wrong on the server' : `Could not ${action}`, explanation: '' };
  }
}

export function ErrorNotice({ error, action = 'do this', heading, fieldLabels = {} }: ErrorNoticeProps) {
  const explained = explain(error, action);
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-heading">{heading ?? explained.heading}</p>
      {explained.explanation && <p>{explained.explanation}</p>}
      <p className="notice-server-message">
        Enclave said: “{error.message}” <span className="notice-code">({error.code})</span>
      </p>
      {error.problems.length > 0 && (
        <ul className="notice-problems">
          {error.problems.map((problem) => (
            <li key={`${problem.path}:${problem.message}`}>
              <strong>{fieldLabels[problem.path.slice(1)] ?? (problem.path === '/' ? 'Request' : problem.path.slice(1))}</strong>:{' '}
              {problem.message}
            </li>
          ))}
        </ul>
      )}
      {error.requestId && (
        <p className="notice-request-id">
          Request id <code>{error.requestId}</code>; quote it when reporting a problem.
        </p>
      )}
    </div>
  );
}
