/**
 * An error meant for the client: a status, a stable machine-readable code and a message
 * that is safe to show. Anything that is not an AppError reaches clients only as a
 * generic internal error (WEB-08).
 */
export class AppError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly headers: Record<string, string>;

  constructor(statusCode: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'AppError';
    this.statusCode = statusCode;
    this.code = code;
    this.headers = headers;
  }
}
