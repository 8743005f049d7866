import { betterAuth, type BetterAuthOptions } from 'better-auth';
import { SqliteDialect } from 'kysely';
import type { SqliteDatabase } from '../core/database.ts';
import type { SessionCookie } from './cookie.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './schema.ts';

export type AuthLog = (message: string, error?: unknown) => void;

/** The mails sign-up sends; better-auth decides which, without the answer showing it (ASVS 6.3.8). */
export interface SignUpMail {
  created(user: { id: string; email: string }): void;
  existing(user: { id: string; email: string; emailVerified: boolean }): void;
}

export interface AuthOptions {
  db: SqliteDatabase;
  secret: string;
  /** The public origin when configured; otherwise better-auth takes it from the URL the bridge builds. */
  baseURL: string | undefined;
  cookie: SessionCookie;
  /** The only header better-auth reads the client address from; the caller sets it, never the client. */
  clientIpHeader: string;
  idleTimeoutSeconds: number;
  allowSignUp: boolean;
  /** Where better-auth's errors go: the logger of the request being served, if any. */
  log: () => AuthLog | undefined;
  signUpMail?: SignUpMail;
}

/** Columns Enclave adds to better-auth's session table for token rotation (see sessions.ts). */
const ROTATION_FIELDS = {
  previousToken: { type: 'string', required: false, input: false, returned: false, index: true },
  previousTokenExpiresAt: { type: 'date', required: false, input: false, returned: false },
  tokenIssuedAt: { type: 'date', required: false, input: false, returned: false },
} as const;

/**
 * better-auth over the encrypted control database. Its tables come from Enclave's own
 * migrations; passwords use its default scrypt hash (IDN-01).
 */
export function authOptions(options: AuthOptions) {
  return {
    baseURL: options.baseURL,
    basePath: '/api/auth',
    secret: options.secret,
    // One shared connection and no transactions: better-auth awaits (scrypt) inside its
    // transactions, and every other request's writes in that time would join the
    // transaction and vanish with it on a rollback, audit events included.
    database: { dialect: new SqliteDialect({ database: options.db }), type: 'sqlite', transaction: false },
    emailAndPassword: {
      enabled: true,
      disableSignUp: !options.allowSignUp,
      // Without an automatic sign-in, signing up with a taken address answers exactly like a
      // new one (ASVS 6.3.8).
      autoSignIn: false,
      // IDN-01: an account signs in only once its address is proven.
      requireEmailVerification: true,
      onExistingUserSignUp: async ({ user }) => options.signUpMail?.existing(user),
      minPasswordLength: PASSWORD_MIN_LENGTH,
      maxPasswordLength: PASSWORD_MAX_LENGTH,
    },
    // Only the trigger is used: the link itself is Enclave's single-use, hashed one
    // (verification.ts), not better-auth's reusable signed token, and it never signs in.
    emailVerification: {
      sendOnSignUp: true,
      sendOnSignIn: false,
      sendVerificationEmail: async ({ user }) => options.signUpMail?.created(user),
    },
    session: {
      expiresIn: options.idleTimeoutSeconds,
      // Enclave's session service slides the idle deadline, caps it at the absolute one and
      // rotates the token; better-auth's refresh would extend past the cap and keep the token.
      disableSessionRefresh: true,
      additionalFields: ROTATION_FIELDS,
    },
    advanced: {
      useSecureCookies: false,
      cookies: { session_token: { name: options.cookie.name, attributes: { secure: options.cookie.secure } } },
      // better-auth's own origin check runs behind ours in every environment, tests included.
      disableOriginCheck: false,
      ipAddress: { ipAddressHeaders: [options.clientIpHeader], ipv6Subnet: 128 },
    },
    // Enclave's rate limits apply before a request reaches better-auth (WEB-05).
    rateLimit: { enabled: false },
    // DAT-05: nothing leaves the server that a workspace did not ask for.
    telemetry: { enabled: false },
    // Errors only: its warnings say which half of a failed sign-in was wrong, and failures
    // are in the audit log already.
    logger: {
      level: 'error',
      log: (_level, message, ...args) => options.log()?.(`better-auth: ${message}`, args.find((arg) => arg instanceof Error)),
    },
  } satisfies BetterAuthOptions;
}

export function createAuth(options: AuthOptions) {
  return betterAuth(authOptions(options));
}

export type Auth = ReturnType<typeof createAuth>;
