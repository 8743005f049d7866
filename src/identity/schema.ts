import { z } from 'zod';

/** ASVS 6.2.1 and 6.2.9: at least 12 characters, and long passphrases are welcome. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/** better-auth stores addresses lower-cased; every lookup normalises the same way. */
export const emailSchema = z.email().max(254).transform((email) => email.toLowerCase());
export const passwordSchema = z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH);
export const userNameSchema = z.string().trim().min(1).max(100);

/** Ids that better-auth generates for users and sessions. */
export const authIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an id');

export const signUpSchema = z.strictObject({ email: emailSchema, password: passwordSchema, name: userNameSchema });
export type SignUpInput = z.infer<typeof signUpSchema>;

// Sign-in checks only that a password is there: a length rule here would tell an attacker
// about the policy without a guess being spent.
export const signInSchema = z.strictObject({ email: emailSchema, password: z.string().min(1).max(PASSWORD_MAX_LENGTH) });
export type SignInInput = z.infer<typeof signInSchema>;

export const userSchema = z.strictObject({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  emailVerified: z.boolean(),
  createdAt: z.string(),
});
export type User = z.infer<typeof userSchema>;

export const sessionSchema = z.strictObject({
  id: z.string(),
  userAgent: z.string().nullable(),
  ipAddress: z.string().nullable(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  current: z.boolean(),
});
export type SessionSummary = z.infer<typeof sessionSchema>;
