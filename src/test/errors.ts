import { isAppError, type ErrorCode } from '../shared/errors.ts';

/** The code of the AppError `work` throws, or null when it throws nothing; anything else rethrows. */
export function codeOf(work: () => unknown): ErrorCode | null {
  try {
    work();
    return null;
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
}
