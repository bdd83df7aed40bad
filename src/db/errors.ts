import { AppError } from '../shared/errors.ts';

interface PostgresError {
  code: string;
  constraint?: string | undefined;
  table?: string | undefined;
}

function isPostgresError(error: unknown): error is PostgresError {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    /^[0-9A-Z]{5}$/.test(error.code)
  );
}

/**
 * Turns a Postgres error into the AppError a client can act on, by SQLSTATE code and constraint
 * name only. The server's message and detail are never passed on: they can quote the row's values,
 * which may be patient data. Anything unrecognised is returned unchanged (it becomes a 500).
 */
export function translateDbError(error: unknown): unknown {
  if (!isPostgresError(error)) return error;
  const constraint = error.constraint;
  const details = {
    ...(constraint ? { constraint } : {}),
    ...(error.table ? { entity: error.table } : {}),
  };
  switch (error.code) {
    case '23505':
      return new AppError(
        'DUPLICATE',
        'A record with the same unique key already exists.',
        details,
      );
    case '23503':
      return new AppError(
        'UNKNOWN_REFERENCE',
        'A referenced record does not exist, or is still referenced.',
        details,
      );
    case '23514':
      if (constraint === 'therapy_group_seats_within_capacity')
        return new AppError(
          'GROUP_FULL',
          "The group's active enrollments would exceed its capacity.",
          details,
        );
      return new AppError(
        'CONSTRAINT_VIOLATED',
        'A value breaks a rule of the data model.',
        details,
      );
    case '23502':
    case '22001':
    case '22003':
    case '22007':
    case '22008':
    case '22P02':
    case '22021': // a NUL character, or text the database cannot hold
    case '22P05':
      return new AppError(
        'CONSTRAINT_VIOLATED',
        'A value breaks a rule of the data model.',
        details,
      );
    case '40001':
    case '40P01':
      return new AppError('CONFLICT', 'A concurrent change got there first; try again.', details);
    default:
      return error;
  }
}

/** Runs a database call and rethrows its failure as an AppError where one fits. */
export async function withDbErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateDbError(error);
  }
}
