import { AppError } from './errors.ts';

/** A half-open period [from, to): VALIDATION_FAILED unless `to` is after `from`. */
export function assertPeriod(period: { from: Date; to: Date }): void {
  if (period.to <= period.from)
    throw new AppError('VALIDATION_FAILED', 'Invalid period: `to` must be after `from`.', {
      issues: [{ field: 'to', problem: 'must be after from' }],
    });
}
