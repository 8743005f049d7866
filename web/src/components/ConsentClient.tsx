import type { ConsentDetails } from '../api/oauth-consent.ts';

interface ConsentClientProps {
  details: ConsentDetails;
}

/**
 * Who is asking, as far as it can be told: the name is the client's own claim, so what identifies
 * it is shown beside it (the metadata document's URL, AIC-03), with a warning to check it. The
 * client's logo is not shown: the CSP allows images from this origin only, and a logo is as much
 * the client's own claim as its name.
 */
export function ConsentClient({ details }: ConsentClientProps) {
  const { client } = details;
  return (
    <>
      <p>
        <span className="consent-client">{client.name}</span> wants to use Enclave on your behalf.
      </p>
      <dl className="facts consent-facts">
        <div>
          <dt>{client.kind === 'metadata_document' ? 'Metadata document' : 'Client id'}</dt>
          <dd>
            <code>{client.id}</code>
          </dd>
        </div>
        {client.uri && (
          <div>
            <dt>Website</dt>
            <dd>
              <code>{client.uri}</code>
            </dd>
          </div>
        )}
        <div>
          <dt>Signed in as</dt>
          <dd>{details.user.email}</dd>
        </div>
        <div>
          <dt>For the endpoint</dt>
          <dd>
            <code>{details.resource}</code>
          </dd>
        </div>
      </dl>
      <p className="notice notice-warning">
        The name “{client.name}” is chosen by the client itself; Enclave has not checked it.
        {client.kind === 'metadata_document'
          ? ' Allow only if the metadata document address above belongs to the client you are connecting.'
          : ' Allow only if you started this connection yourself, just now.'}
      </p>
    </>
  );
}
