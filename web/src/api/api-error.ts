/** One problem the server found in a request body, as listed in an error's details. */
export interface FieldProblem {
  /** A JSON pointer into the body, for example `/displayName`; `/` for the body as a whole. */
  path: string;
  message: string;
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; requestId?: unknown; details?: unknown };
}

/** A failed API call, carrying the server's stable error code so the UI can explain it. */
export class ApiError extends Error {
  override name = 'ApiError';
  /** The HTTP status, or 0 when the server could not be reached at all. */
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly problems: readonly FieldProblem[];
  readonly retryAfterSeconds: number | undefined;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    requestId?: string | undefined;
    problems?: readonly FieldProblem[];
    retryAfterSeconds?: number | undefined;
  }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.problems = init.problems ?? [];
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  /** The server's messages about one body field, for showing beside that field. */
  problemsWith(field: string): string[] {
    return this.problems.filter((problem) => problem.path === `/${field}`).map((problem) => problem.message);
  }

  static async fromResponse(response: Response): Promise<ApiError> {
    const body = (await response.json().catch(() => ({}))) as ErrorBody;
    const error = body.error ?? {};
    const retryAfter = Number(response.headers.get('retry-after'));
    return new ApiError({
      status: response.status,
      code: typeof error.code === 'string' ? error.code : `http_${response.status}`,
      message: typeof error.message === 'string' ? error.message : response.statusText,
      requestId: typeof error.requestId === 'string' ? error.requestId : (response.headers.get('x-request-id') ?? undefined),
      problems: fieldProblems(error.details),
      retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    });
  }

  static unreachable(): ApiError {
    return new ApiError({ status: 0, code: 'unreachable', message: 'the Enclave server did not answer' });
  }
}

function fieldProblems(details: unknown): FieldProblem[] {
  if (!Array.isArray(details)) return [];
  return details.flatMap((detail: unknown) => {
    if (typeof detail !== 'object' || detail === null) return [];
    const { path, message } = detail as { path?: unknown; message?: unknown };
    return typeof path === 'string' && typeof message === 'string' ? [{ path, message }] : [];
  });
}

/** Anything a call can throw, as an ApiError; a thrown TypeError from fetch means the network failed. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof TypeError) return ApiError.unreachable();
  return new ApiError({ status: 0, code: 'client_error', message: error instanceof Error ? error.message : String(error) });
}
