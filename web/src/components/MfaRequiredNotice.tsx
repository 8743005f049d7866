/** Why the Security page opened instead of the workspace, and the way back once that is settled (IDN-05). */
export interface MfaRequirement {
  workspaceName: string;
  /** The person has turned two-factor authentication on since being stopped. */
  satisfied: boolean;
  onEnabled(): void;
  onContinue(): void;
}

export function MfaRequiredNotice({ requirement }: { requirement: MfaRequirement }) {
  if (requirement.satisfied) {
    return (
      <div className="notice" role="status">
        <p className="notice-heading">You can open “{requirement.workspaceName}” now</p>
        <p>Two-factor authentication is on. Save your backup codes below first; then continue.</p>
        <div className="form-actions">
          <button type="button" className="button" onClick={requirement.onContinue}>
            Continue to {requirement.workspaceName}
          </button>
        </div>
      </div>
    );
  }
  return (
    <div className="notice notice-warning" role="alert">
      <p className="notice-heading">“{requirement.workspaceName}” requires two-factor authentication</p>
      <p>
        Its owners ask every member to confirm each sign-in with a code from an authenticator app, and your account has none
        yet. Set one up below: it takes a minute with an app on your phone. Until then Enclave cannot open this workspace for
        you.
      </p>
    </div>
  );
}
