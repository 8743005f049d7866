import { useEffect, useState } from 'react';
import { providerStartUrl, signInProviders, type SignInProvider } from '../api/providers.ts';
import { SSO_REFUSALS } from '../api/sso.ts';
import '../styles/federated.css';

/** "Continue with …" for each provider the server offers; nothing at all when it offers none. */
export function ProviderSignIn() {
  const [providers, setProviders] = useState<SignInProvider[]>([]);

  useEffect(() => {
    // Without the list the password form still works, so a failure here shows nothing.
    signInProviders().then(setProviders, () => undefined);
  }, []);

  if (providers.length === 0) return null;
  return (
    <nav className="provider-sign-in" aria-label="Sign in with another provider">
      {providers.map((provider) => (
        <a key={provider.id} className="button" href={providerStartUrl(provider)}>
          Continue with {provider.label}
        </a>
      ))}
    </nav>
  );
}

/** Why a sign-in through a provider did not complete, by the code the server sent back; never the provider's own words. */
const REFUSALS: Record<string, { heading: string; explanation: string }> = {
  oidc_state_invalid: {
    heading: 'That sign-in expired or was started elsewhere',
    explanation: 'Sign-ins through a provider must finish within ten minutes, in the browser that started them. Start again.',
  },
  oidc_failed: {
    heading: 'The provider’s answer could not be verified',
    explanation: 'Start again. If it keeps happening, tell the person who runs this Enclave.',
  },
  oidc_denied: { heading: 'The provider did not sign you in', explanation: 'You may have cancelled at the provider. Start again to retry.' },
  oidc_provider_unavailable: { heading: 'The provider could not be reached', explanation: 'Try again in a moment, or sign in with your password.' },
  oidc_email_missing: {
    heading: 'The provider did not share your email address',
    explanation: 'Enclave needs it to find your account. Allow it at the provider, then start again.',
  },
  oidc_domain_not_allowed: {
    heading: 'This account may not sign in here',
    explanation: 'This provider only signs in accounts of the organisation’s own domains. Use your organisation account.',
  },
  federated_email_invalid: {
    heading: 'The provider gave an email address Enclave cannot use',
    explanation: 'Check the address on your account at the provider, then start again.',
  },
  federated_email_unverified: {
    heading: 'Your email address is not verified at the provider',
    explanation: 'Verify it with the provider first, then start again.',
  },
  federated_account_conflict: {
    heading: 'This address belongs to an account linked to someone else at the provider',
    explanation: 'Sign in with the identity that account uses, or ask the person who runs this Enclave.',
  },
  federated_sign_up_disabled: {
    heading: 'No account for this address',
    explanation: 'This server does not create accounts on sign-in. Ask the person who runs it to create one for you.',
  },
  provider_not_found: { heading: 'That sign-in provider is not offered here', explanation: 'Choose one of the providers listed below.' },
};

export function ProviderRefusal({ code }: { code: string }) {
  const refusal = REFUSALS[code] ?? SSO_REFUSALS[code] ?? { heading: 'Sign-in did not complete', explanation: 'Start again, or sign in with your password.' };
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-heading">{refusal.heading}</p>
      <p>{refusal.explanation}</p>
      <p className="notice-server-message">
        <span className="notice-code">({code})</span>
      </p>
    </div>
  );
}
