import type { AuditVerification } from '../api/types.ts';
import { plural } from '../plural.ts';
import { Timestamp } from './Timestamp.tsx';

interface AuditChainBannerProps {
  verification: AuditVerification;
  /** When this browser asked, so a repeated check visibly changes something. */
  checkedAt: string;
  onCheckAgain(): void;
}

/** The server's verdict on the whole chain, not just the events on screen. */
export function AuditChainBanner({ verification, checkedAt, onCheckAgain }: AuditChainBannerProps) {
  const recheck = (
    <div className="banner-recheck">
      <button type="button" className="button button-small" onClick={onCheckAgain}>
        Check again
      </button>
      <span className="banner-checked-at">
        Checked <Timestamp at={checkedAt} />
      </span>
    </div>
  );
  if (verification.ok) {
    return (
      <div className="banner banner-verified" role="status">
        <div>
          <p className="banner-heading">
            Chain verified: {plural(verification.events, 'event')}, {plural(verification.checkpoints, 'checkpoint')}
          </p>
          <p>
            Every event matches its hash and links to the one before it;{' '}
            {verification.checkpoints === 0
              ? 'no checkpoint has been signed yet, so the next one will pin these events.'
              : 'every checkpoint signature is valid.'}
          </p>
        </div>
        {recheck}
      </div>
    );
  }
  return (
    <div className="banner banner-broken" role="alert">
      <div>
        <p className="banner-heading">
          Chain integrity problem
          {verification.firstBadSeq !== undefined && ` at event #${verification.firstBadSeq}`}
        </p>
        <p>{verification.problem ?? 'The audit log does not match what was written.'}</p>
        <p>
          Events from that point on cannot be trusted ({plural(verification.events, 'event')} before it verified). Run{' '}
          <code>enclave verify-audit</code> on the server to investigate.
        </p>
      </div>
      {recheck}
    </div>
  );
}
