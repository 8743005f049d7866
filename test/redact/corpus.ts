import {
  aadhaarNumber,
  ALPHANUMERIC,
  breakCheckDigit,
  cardNumber,
  fake,
  groupDigits,
  groupsOfFour,
  iban,
  randomText,
} from './fakes.ts';

/** Text in which `secrets` must disappear and a `[REDACTED:kind]` mask appear. */
export interface PositiveCase {
  title: string;
  text: string;
  kind: string;
  secrets: readonly string[];
  /** Parts around the secret that must survive (a URL's host, a header's name). */
  kept?: readonly string[];
}

/** Text that must come back unchanged. */
export interface NegativeCase {
  title: string;
  text: string;
}

/** Where a value found by content can sit in a log. */
const CONTEXTS: Record<string, (secret: string) => string> = {
  'alone': (secret) => secret,
  'inside a sentence': (secret) => `upstream rejected ${secret} after 3 retries.`,
  'in a JSON log line': (secret) => JSON.stringify({ level: 40, time: 1_705_312_200_123, msg: `value ${secret} refused` }),
  'on its own line in a JSON message': (secret) => JSON.stringify({ msg: `first line\n${secret}\nlast line` }),
  'in a query string': (secret) => `GET /callback?state=af01&value=${secret}&next=%2Fhome HTTP/1.1`,
  'in a header': (secret) => `X-Debug-Value: ${secret}`,
  'in single quotes': (secret) => `config value '${secret}' loaded`,
};

interface Detected {
  what: string;
  secret: string;
  kind: string;
  /** The part that must disappear, when only part of `secret` is masked. */
  masked?: string;
  kept?: readonly string[];
  /** Contexts that do not apply, such as a query string for a value with spaces. */
  skip?: readonly string[];
}

const visa = cardNumber('4', 16, 'visa');
const mastercard = cardNumber('51', 16, 'mc');
const mastercard2 = cardNumber('2221', 16, 'mc2');
const amex = cardNumber('37', 15, 'amex');
const discover = cardNumber('6011', 16, 'discover');
const visa13 = cardNumber('4', 13, 'visa13');
const unionPay19 = cardNumber('62', 19, 'unionpay');
const aadhaar = aadhaarNumber('a1');
const aadhaar2 = aadhaarNumber('a2');
const ibanDe = iban('DE', '370400440532013000');
const ibanGb = iban('GB', 'NWBK60161331926819');
const ibanFr = iban('FR', '20041010050500013M02606');
const ibanNl = iban('NL', 'ABNA0417164300');
const dbPassword = fake.password('db');
const redisPassword = fake.password('redis');
const mqPassword = `p@ss:${fake.password('mq')}`;
const basicPassword = fake.password('basic');

/** Values found by content, each of which is tried in every context. */
const DETECTED: readonly Detected[] = [
  { what: 'an AWS access key id', secret: fake.awsAccessKeyId(), kind: 'aws-key' },
  { what: 'an AWS temporary key id', secret: fake.awsSessionKeyId(), kind: 'aws-key' },
  { what: 'a GitHub classic token', secret: fake.githubClassic('p'), kind: 'github-token' },
  { what: 'a GitHub OAuth token', secret: fake.githubClassic('o', 'gho'), kind: 'github-token' },
  { what: 'a GitHub app server token', secret: fake.githubClassic('s', 'ghs'), kind: 'github-token' },
  { what: 'a GitHub fine-grained token', secret: fake.githubFineGrained(), kind: 'github-token' },
  { what: 'a GitLab token', secret: fake.gitlab(), kind: 'gitlab-token' },
  { what: 'a Slack bot token', secret: fake.slack('b'), kind: 'slack-token' },
  { what: 'a Slack user token', secret: fake.slack('p', 'slackp'), kind: 'slack-token' },
  { what: 'a Stripe live key', secret: fake.stripe('sk', 'live'), kind: 'stripe-key' },
  { what: 'a Stripe test key', secret: fake.stripe('sk', 'test', 'stripetest'), kind: 'stripe-key' },
  { what: 'a Stripe restricted key', secret: fake.stripe('rk', 'live', 'stripe-rk'), kind: 'stripe-key' },
  { what: 'an OpenAI legacy key', secret: fake.openaiLegacy(), kind: 'openai-key' },
  { what: 'an OpenAI project key', secret: fake.openaiProject(), kind: 'openai-key' },
  { what: 'an Anthropic key', secret: fake.anthropic(), kind: 'anthropic-key' },
  { what: 'a Google API key', secret: fake.google(), kind: 'google-api-key' },
  { what: 'an npm token', secret: fake.npm(), kind: 'npm-token' },
  { what: 'a SendGrid key', secret: fake.sendgrid(), kind: 'sendgrid-key' },
  { what: 'a Twilio API key', secret: fake.twilio(), kind: 'twilio-key' },
  { what: 'an Enclave API key', secret: fake.enclave('k'), kind: 'enclave-token' },
  { what: 'an Enclave pairing token', secret: fake.enclave('p', 'pairing'), kind: 'enclave-token' },
  { what: 'an Enclave MCP token', secret: fake.enclave('m', 'mcp'), kind: 'enclave-token' },
  { what: 'an Enclave connector token', secret: fake.enclave('c', 'connector'), kind: 'enclave-token' },
  { what: 'a JWT', secret: fake.jwt(), kind: 'jwt' },
  { what: 'an unsigned JWT', secret: `${fake.jwt().split('.').slice(0, 2).join('.')}.`, kind: 'jwt' },
  { what: 'a PEM RSA private key', secret: fake.pem('RSA PRIVATE KEY'), kind: 'private-key', skip: ['in a query string'] },
  { what: 'a PKCS#8 private key', secret: fake.pem('PRIVATE KEY', 'pkcs8'), kind: 'private-key', skip: ['in a query string'] },
  { what: 'an OpenSSH private key', secret: fake.pem('OPENSSH PRIVATE KEY', 'ssh'), kind: 'private-key', skip: ['in a query string'] },
  {
    what: 'an encrypted PEM key with headers',
    secret: fake.pem('RSA PRIVATE KEY', 'enc').replace('-----\n', '-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,0F3A\n\n'),
    kind: 'private-key',
    skip: ['in a query string'],
  },
  { what: 'a Bearer token', secret: `Bearer ${fake.opaqueToken()}`, masked: fake.opaqueToken(), kind: 'bearer', kept: ['Bearer'] },
  {
    what: 'Basic credentials',
    secret: `Basic ${btoa(`alice:${basicPassword}`)}`,
    masked: btoa(`alice:${basicPassword}`),
    kind: 'basic',
    kept: ['Basic'],
  },
  {
    what: 'a database URL password',
    secret: `postgres://app:${dbPassword}@db.internal:5432/enclave`,
    masked: dbPassword,
    kind: 'password',
    kept: ['postgres://app:', '@db.internal:5432/enclave'],
  },
  {
    what: 'a URL password with no user',
    secret: `redis://:${redisPassword}@cache:6379/0`,
    masked: redisPassword,
    kind: 'password',
    kept: ['redis://:', '@cache:6379/0'],
  },
  {
    what: 'a URL password holding @ and :',
    secret: `amqp://guest:${mqPassword}@mq.internal/vhost`,
    masked: mqPassword,
    kind: 'password',
    kept: ['amqp://guest:', '@mq.internal/vhost'],
  },
  { what: 'an email address', secret: 'alice.smith+billing@example.co.uk', kind: 'email' },
  { what: 'an email address with digits', secret: 'bob_99@mail.example.org', kind: 'email' },
  { what: 'a Visa number', secret: visa, kind: 'card' },
  { what: 'a Visa number in groups', secret: groupDigits(visa, [4, 4, 4, 4], ' '), kind: 'card' },
  { what: 'a Mastercard number with dashes', secret: groupDigits(mastercard, [4, 4, 4, 4], '-'), kind: 'card' },
  { what: 'a 2-series Mastercard number', secret: mastercard2, kind: 'card' },
  { what: 'an Amex number in 4-6-5', secret: groupDigits(amex, [4, 6, 5], ' '), kind: 'card' },
  { what: 'a Discover number', secret: discover, kind: 'card' },
  { what: 'a 13-digit Visa number', secret: visa13, kind: 'card' },
  { what: 'a 19-digit card number in groups', secret: groupDigits(unionPay19, [4, 4, 4, 4, 3], ' '), kind: 'card' },
  { what: 'a German IBAN', secret: ibanDe, kind: 'iban' },
  { what: 'a German IBAN in groups', secret: groupsOfFour(ibanDe), kind: 'iban' },
  { what: 'a British IBAN', secret: ibanGb, kind: 'iban' },
  { what: 'a French IBAN in groups', secret: groupsOfFour(ibanFr), kind: 'iban' },
  { what: 'a Dutch IBAN', secret: ibanNl, kind: 'iban' },
  // Numbers that were printed in advertising and voided, so they belong to no one.
  { what: 'a US SSN', secret: '219-09-9999', kind: 'ssn' },
  { what: 'another US SSN', secret: '078-05-1120', kind: 'ssn' },
  { what: 'an Aadhaar number in 4-4-4', secret: groupDigits(aadhaar, [4, 4, 4], ' '), kind: 'aadhaar' },
  { what: 'an Aadhaar number with dashes', secret: groupDigits(aadhaar2, [4, 4, 4], '-'), kind: 'aadhaar' },
  { what: 'a compact Aadhaar number', secret: aadhaar2, kind: 'aadhaar' },
  { what: 'an individual PAN', secret: 'ABCPE1234F', kind: 'pan' },
  { what: 'a company PAN', secret: 'AAACX1234Z', kind: 'pan' },
  // Phone numbers from ranges set aside for fiction (555-01xx, Ofcom's drama numbers) or documentation.
  { what: 'an E.164 number', secret: '+919876543210', kind: 'phone' },
  { what: 'an international number in groups', secret: '+44 20 7946 0958', kind: 'phone' },
  { what: 'an international number with area code in parentheses', secret: '+44 (0)20 7946 0958', kind: 'phone' },
  { what: 'a US number with country code', secret: '+1 (415) 555-0132', kind: 'phone' },
  { what: 'a German number', secret: '+49 30 23125 123', kind: 'phone' },
  { what: 'a US number in parentheses', secret: '(415) 555-0132', kind: 'phone' },
  { what: 'a US number with dashes', secret: '415-555-0132', kind: 'phone' },
  { what: 'a US number with dots', secret: '415.555.0132', kind: 'phone' },
  { what: 'a US toll-free number', secret: '1-800-555-0199', kind: 'phone' },
  { what: 'a UK landline', secret: '020 7946 0958', kind: 'phone' },
  { what: 'a UK mobile', secret: '07700 900123', kind: 'phone' },
  { what: 'a French mobile', secret: '06 12 34 56 78', kind: 'phone' },
  { what: 'a French mobile with dots', secret: '06.12.34.56.78', kind: 'phone' },
  { what: 'an Indian mobile', secret: '98765 43210', kind: 'phone' },
];

function detectedCases(): PositiveCase[] {
  return DETECTED.flatMap((detected) =>
    Object.entries(CONTEXTS)
      .filter(([context]) => !detected.skip?.includes(context))
      .map(([context, place]) => ({
        title: `masks ${detected.what} ${context}`,
        text: place(detected.secret),
        kind: detected.kind,
        secrets: [detected.masked ?? detected.secret],
        kept: detected.kept,
      })),
  );
}

const apiKey = randomText(ALPHANUMERIC, 32, 'apikey');
const secretValue = randomText(ALPHANUMERIC, 24, 'client-secret');
const sessionId = randomText(ALPHANUMERIC, 26, 'session');
const cookieValue = randomText(ALPHANUMERIC, 30, 'cookie');
const token = randomText(ALPHANUMERIC, 28, 'token');
const pw = fake.password('kv');
const bcryptBody = randomText(ALPHANUMERIC, 53, 'bcrypt');

/** Values found by the name of their key. */
const BY_KEY: readonly PositiveCase[] = [
  { title: 'masks password=value', text: `login failed password=${pw} user=ops`, kind: 'password', secrets: [pw], kept: ['user=ops'] },
  { title: 'masks an environment variable', text: `DB_PASSWORD=${pw}`, kind: 'password', secrets: [pw], kept: ['DB_PASSWORD='] },
  { title: 'masks passwd: value', text: `passwd: ${pw}`, kind: 'password', secrets: [pw] },
  { title: 'masks a JSON password', text: JSON.stringify({ user: 'ops', password: pw }), kind: 'password', secrets: [pw], kept: ['"user":"ops"'] },
  { title: 'masks a pretty-printed JSON password', text: JSON.stringify({ password: pw }, null, 2), kind: 'password', secrets: [pw] },
  { title: 'masks a JSON password holding quotes', text: JSON.stringify({ password: `a"b\\c${pw}` }), kind: 'password', secrets: [pw, 'a\\"b'] },
  {
    title: 'masks a password inside serialized JSON in a message',
    text: JSON.stringify({ msg: `body ${JSON.stringify({ password: pw, keep: 'yes' })}` }),
    kind: 'password',
    secrets: [pw],
    kept: ['keep'],
  },
  {
    title: 'masks a password serialized twice',
    text: JSON.stringify({ msg: JSON.stringify({ inner: JSON.stringify({ password: pw }) }) }),
    kind: 'password',
    secrets: [pw],
  },
  { title: "masks a Python dict's password", text: `{'user': 'ops', 'password': '${pw}'}`, kind: 'password', secrets: [pw] },
  { title: 'masks a quoted password with spaces', text: `password="correct horse ${pw}"`, kind: 'password', secrets: [pw, 'correct horse'] },
  { title: 'masks a password hash by key', text: `password_hash=$2b$12$${bcryptBody}`, kind: 'password', secrets: [bcryptBody] },
  { title: 'masks a numeric JSON password', text: '{"pin_password":123456,"n":1}', kind: 'password', secrets: ['123456'] },
  { title: 'masks api_key in a query string', text: `GET /v1/items?api_key=${apiKey}&page=2`, kind: 'api-key', secrets: [apiKey], kept: ['&page=2'] },
  { title: 'masks apiKey in JSON', text: JSON.stringify({ apiKey }), kind: 'api-key', secrets: [apiKey] },
  { title: 'masks an X-Api-Key header', text: `X-Api-Key: ${apiKey}`, kind: 'api-key', secrets: [apiKey], kept: ['X-Api-Key: '] },
  { title: 'masks aws_secret_access_key', text: `aws_secret_access_key = ${secretValue}`, kind: 'api-key', secrets: [secretValue] },
  { title: 'masks client_secret in JSON', text: JSON.stringify({ client_id: 'web', client_secret: secretValue }), kind: 'secret', secrets: [secretValue], kept: ['"client_id":"web"'] },
  { title: 'masks SECRET_KEY', text: `SECRET_KEY=${secretValue}`, kind: 'secret', secrets: [secretValue] },
  { title: 'masks access_token in a fragment', text: `https://app.example.com/cb#access_token=${token}&token_type=Bearer`, kind: 'token', secrets: [token], kept: ['token_type=Bearer'] },
  { title: 'masks refresh_token in a form body', text: `grant_type=refresh_token&refresh_token=${token}`, kind: 'token', secrets: [token], kept: ['grant_type=refresh_token'] },
  { title: 'masks an X-Auth-Token header', text: `X-Auth-Token: ${token}`, kind: 'token', secrets: [token] },
  { title: 'masks a JSON session id', text: JSON.stringify({ sessionId }), kind: 'session', secrets: [sessionId] },
  { title: 'masks PHPSESSID', text: `PHPSESSID=${sessionId}`, kind: 'session', secrets: [sessionId] },
  { title: 'masks credentials: value', text: `credentials: ${secretValue}`, kind: 'credential', secrets: [secretValue] },
  { title: 'masks a private_key value', text: `private_key=${secretValue}`, kind: 'private-key', secrets: [secretValue] },
  { title: 'masks a Cookie header whole', text: `Cookie: theme=dark; sid=${cookieValue}; lang=en`, kind: 'cookie', secrets: [cookieValue, 'lang=en'], kept: ['Cookie: '] },
  { title: 'masks a Set-Cookie header whole', text: `Set-Cookie: sid=${cookieValue}; Path=/; HttpOnly; Secure`, kind: 'cookie', secrets: [cookieValue] },
  { title: 'masks a JSON cookie header', text: JSON.stringify({ headers: { cookie: `sid=${cookieValue}` } }), kind: 'cookie', secrets: [cookieValue] },
  {
    title: 'masks an Authorization header with an unknown scheme',
    text: `Authorization: Negotiate ${cookieValue}`,
    kind: 'authorization',
    secrets: [cookieValue, 'Negotiate'],
    kept: ['Authorization: '],
  },
  {
    title: 'masks an Authorization header in a JSON message up to the line break',
    text: JSON.stringify({ msg: `Authorization: Negotiate ${secretValue} extra\nnext line` }),
    kind: 'authorization',
    secrets: [secretValue, 'extra'],
    kept: ['next line'],
  },
  { title: 'masks a Bearer header', text: `authorization: Bearer ${token}`, kind: 'authorization', secrets: [token] },
  { title: 'masks a curl command header', text: `curl -H 'Authorization: Bearer ${token}' https://api.example.com`, kind: 'authorization', secrets: [token] },
];

const BOTH: readonly PositiveCase[] = [
  {
    title: 'masks several kinds in one line',
    text: `user ${'alice@example.com'} paid with ${groupDigits(visa, [4, 4, 4, 4], ' ')} from +44 20 7946 0958 token=${token}`,
    kind: 'card',
    secrets: ['alice@example.com', groupDigits(visa, [4, 4, 4, 4], ' '), '7946 0958', token],
  },
  {
    title: 'masks a card number held as a JSON number and keeps the line JSON',
    text: JSON.stringify({ amount: 12.5, card: Number(visa) }),
    kind: 'card',
    secrets: [visa],
    kept: ['"amount":12.5'],
  },
];

export const POSITIVE_CASES: readonly PositiveCase[] = [...detectedCases(), ...BY_KEY, ...BOTH];

const luhnFailing = breakCheckDigit(visa);
const verhoeffFailing = breakCheckDigit(aadhaar);

export const NEGATIVE_CASES: readonly NegativeCase[] = [
  { title: 'a UUID', text: 'request 550e8400-e29b-41d4-a716-446655440000 done' },
  { title: 'an upper-case UUID', text: 'id=F47AC10B-58CC-4372-A567-0E02B2C3D479' },
  { title: 'a UUID whose last group is a valid Aadhaar number', text: `run f47ac10b-58cc-4372-a567-${aadhaar}` },
  { title: 'a git SHA-1', text: 'commit da39a3ee5e6b4b0d3255bfef95601890afd80709' },
  { title: 'a digit-heavy git SHA-1', text: 'commit 3141592653589793238462643383279502884197' },
  { title: 'a SHA-256', text: 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
  { title: 'an upper-case SHA-1', text: 'ETag: DA39A3EE5E6B4B0D3255BFEF95601890AFD80709' },
  { title: 'ISO-8601 timestamps', text: '2024-01-15T10:30:00.123Z 2024-01-15T10:30:00+05:30 2024-01-15T10:30:00.123456789Z' },
  { title: 'a log timestamp with a comma', text: '2024-01-15 10:30:00,123 INFO started' },
  { title: 'an HTTP date', text: 'Date: Mon, 15 Jan 2024 10:30:00 GMT' },
  { title: 'compact date-times', text: 'build 20240115T103000Z and 202401151030' },
  { title: 'epoch seconds, millis, micros and nanos', text: 'time=1705312200 ms=1705312200123 us=1705312200123456 ns=1705312200123456789' },
  { title: 'a JSON log line with epoch millis', text: '{"level":30,"time":1705312200123,"pid":4242,"msg":"ok"}' },
  { title: 'semantic versions', text: 'node v24.21.0, pkg 1.2.3, 10.24.1-beta.2+build.5, 2.0.0-rc.1, 1.0.0.12345' },
  { title: 'IPv4 addresses and ports', text: '10.0.0.1:8080 192.168.100.200 255.255.255.0 0.0.0.0:443 127.0.0.1:65535' },
  { title: 'IPv6 addresses', text: '2001:db8::ff00:42:8329 [::1]:3000 fe80::1%eth0' },
  { title: 'prices and plain numbers', text: 'total $1,234.56 (€ 99.90), took 1234 ms, 12,345,678 rows, pi 3.14159265358979, lng -122.4194, 1e+21' },
  { title: 'order and invoice ids', text: 'order #100045321 ORD-2024-000123 INV-000123456 txn 5000000123' },
  { title: 'a 16-digit number failing Luhn', text: `ref ${luhnFailing}` },
  { title: 'a grouped 16-digit number failing Luhn', text: `ref ${groupDigits(luhnFailing, [4, 4, 4, 4], ' ')}` },
  { title: 'a 19-digit number failing Luhn', text: `ref ${breakCheckDigit(unionPay19)}` },
  { title: 'a Luhn-valid number starting with 1', text: `ts ${cardNumber('17', 13, 'epoch')}` },
  { title: 'a 12-digit number failing Verhoeff', text: `ref ${verhoeffFailing}` },
  { title: 'a grouped 12-digit number failing Verhoeff', text: `ref ${groupDigits(verhoeffFailing, [4, 4, 4], ' ')}` },
  { title: 'a 12-digit number starting with 1', text: 'ref 123456789012' },
  { title: 'an IBAN-shaped string failing mod 97', text: `account ${breakCheckDigit(ibanDe)}` },
  { title: 'an IBAN-shaped string of the wrong length', text: `account ${ibanDe}1` },
  { title: 'SSN-shaped numbers in never-issued ranges', text: '000-12-3456 666-12-3456 900-12-3456 123-00-4567 123-45-0000' },
  { title: 'a PAN-shaped string with an invalid holder type', text: 'code ABCDE1234F' },
  { title: 'dates with separators', text: '15/01/2024 01-15-2024 15.01.2024 2024.01.15' },
  { title: 'a hex dump', text: '00 11 22 33 44 55 66 77 88 99' },
  { title: 'a Windows build number', text: 'version 10.0.19045.3803' },
  { title: 'a timezone offset', text: 'offset +05:30 and +0000' },
  {
    title: 'base64 image data',
    text: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  },
  { title: 'random base64 data', text: `blob ${Buffer.from(randomText(ALPHANUMERIC, 3000, 'blob')).toString('base64')}` },
  { title: 'the word password with no value', text: 'password reset requested for user usr_42; enter your password again' },
  { title: 'key words with no value', text: 'the token expired; Bearer token missing; Basic authentication failed; no credentials found' },
  { title: 'counters named after secrets', text: 'max_tokens=4096 tokens=1234 token_type=bearer token_count=3' },
  { title: 'settings named after secrets', text: 'password_reset_at=2024-01-15 passwordless=true auth_method=oauth' },
  { title: 'JSON values that say nothing secret', text: '{"password":null,"token":"","secret":true,"session_count":3}' },
  { title: 'a URL without a password', text: 'https://example.com:8443/path?x=1#top and ssh://git@github.com/org/repo.git' },
  { title: 'a URL with a port and an @ in the path', text: 'https://registry.example.com:443/@scope/pkg' },
  { title: 'npm package specifiers', text: 'installed lodash@4.17.21 and @types/node@24.0.0' },
  { title: 'a local address with no domain', text: 'mail for root@localhost queued' },
  { title: 'a hyphenated word after sk-', text: 'using sk-learn-preprocessing-pipeline-module' },
  { title: 'an Enclave-shaped prefix with a short body', text: 'enk_short and enp_' },
  { title: 'a JWT-shaped word with one segment', text: 'eyJhbGciOiJIUzI1NiJ9 only' },
  { title: 'an AWS-shaped prefix inside a longer word', text: `XAKIA${'ABCDEFGHIJKLMNOP'}Q` },
  { title: 'a certificate (public, not a private key)', text: '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----' },
];
