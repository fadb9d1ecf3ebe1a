import { z } from 'zod';

/** One problem with one input record: where it is (record index or file row, field) and what is wrong. */
export const RecordProblem = z.object({
  /** 0-based index in a request batch, or 1-based line number in a file. */
  index: z.number().int(),
  /** JSON path of the field (e.g. "items[2].unitPrice") or the CSV column name. */
  path: z.string(),
  message: z.string(),
});
export type RecordProblem = z.infer<typeof RecordProblem>;

/** The one error body every failing request gets. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Error codes, with the HTTP status and CLI exit code each maps to. */
export const ERROR_CODES = {
  /** The input failed validation; details list each bad record. */
  INVALID_INPUT: { status: 422, exit: 65 },
  /** A record reuses a client id with a different payload. */
  ID_CONFLICT: { status: 409, exit: 65 },
  /** No API key, or an unknown or revoked one. */
  UNAUTHENTICATED: { status: 401, exit: 77 },
  /** The key lacks the scope, or the data belongs to another program. */
  FORBIDDEN: { status: 403, exit: 77 },
  /** The thing is in a state that does not allow this (approving a cancelled campaign). */
  INVALID_STATE: { status: 409, exit: 65 },
  /** No such member, program or route. */
  NOT_FOUND: { status: 404, exit: 66 },
  /** A signed link (tracking) that was valid once has expired. */
  LINK_EXPIRED: { status: 410, exit: 65 },
  /** The request body is larger than allowed. */
  PAYLOAD_TOO_LARGE: { status: 413, exit: 65 },
  /** The embedded data folder is held by another process. */
  DATA_DIR_LOCKED: { status: 503, exit: 75 },
  /** A file could not be read. */
  FILE_UNREADABLE: { status: 400, exit: 66 },
  /** Wrong command-line usage. */
  USAGE: { status: 400, exit: 64 },
  /** Anything unexpected. */
  INTERNAL: { status: 500, exit: 70 },
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

/** A failure that ends the request or command. Mapped to one HTTP status and one exit code. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}
