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
      return { heading: 'Not connected', explanation: 'Connect with a workspace API key first.' };
    case 'forbidden':
      return {
        heading: 'Your role does not allow this',
        explanation: `This API key's role cannot ${action}. An owner or admin can, or can give you a key with a role that does.`,
      };
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
