import type { ServiceDeps } from '../../context.ts';
import { AppError } from '../../shared/errors.ts';
import {
  areaSummaries,
  clinicianWeek,
  defaultPrepFactor,
  defaultProtectedTarget,
  weekBounds,
  type AreaWeek,
  type ClinicianWeek,
} from './workload.domain.ts';
import { clinicianWeeks } from './workload.repository.ts';

export type WorkloadService = ReturnType<typeof createWorkloadService>;

/**
 * Clinician workload: program managers (coordinator, admin) see every clinician; a clinician sees
 * only their own week (the filter is applied for them, whatever they ask).
 */
export function createWorkloadService({ db, config, access }: ServiceDeps) {
  return {
    async week(options: {
      week: string;
      serviceAreaId?: string | undefined;
      prepFactor?: number | undefined;
      protectedTarget?: number | undefined;
    }): Promise<{
      week: string;
      monday: string;
      prepFactor: number;
      protectedTarget: number;
      clinicians: ClinicianWeek[];
      areas: AreaWeek[];
    }> {
      await access.require('workload:read', { action: 'workload.read', entity: 'clinician' });
      const bounds = weekBounds(options.week, config.TZ_ORG);
      const { role, clinicianId } = access.actor;
      if (role === 'clinician' && clinicianId === null)
        throw new AppError('FORBIDDEN', 'This sign-in is not linked to a clinician record.', {
          scope: 'own-workload',
        });
      const prepFactor = options.prepFactor ?? defaultPrepFactor;
      const protectedTarget = options.protectedTarget ?? defaultProtectedTarget;
      const inputs = await clinicianWeeks(
        db,
        {
          from: bounds.from,
          to: bounds.to,
          serviceAreaId: options.serviceAreaId,
          clinicianId: role === 'clinician' ? (clinicianId ?? undefined) : undefined,
        },
        config.TZ_ORG,
      );
      const clinicians = inputs.map((i) => clinicianWeek(i, { prepFactor, protectedTarget }));
      return {
        week: bounds.week,
        monday: bounds.monday,
        prepFactor,
        protectedTarget,
        clinicians,
        areas: areaSummaries(clinicians),
      };
    },
  };
}
