import type { EpisodeOfCare } from '@medplum/fhirtypes';
import type { EnrollmentStatus } from '../enrollments/enrollments.domain.ts';
import { concept, extension, instantText, reference } from './fhir.domain.ts';
import { identifiersOut, type ExternalId } from './map.domain.ts';

/*
 * EpisodeOfCare ↔ enrollment: the course of group treatment of one patient in one group. It is
 * read-only here: enrollments are imported as a Group's `member[]`.
 */

type EpisodeStatus = NonNullable<EpisodeOfCare['status']>;

export const episodeStatusOf = {
  active: 'active',
  waitlisted: 'waitlist',
  paused: 'onhold',
  ended: 'finished',
} as const satisfies Record<EnrollmentStatus, EpisodeStatus>;

/** The enrollment statuses an EpisodeOfCare status search matches. */
export function enrollmentStatusesOf(code: string): EnrollmentStatus[] {
  return (Object.keys(episodeStatusOf) as EnrollmentStatus[]).filter(
    (s) => episodeStatusOf[s] === code,
  );
}

export interface Episode {
  id: string;
  patientId: string;
  groupId: string;
  /** The service area of the group's location. */
  serviceAreaId: string;
  status: EnrollmentStatus;
  startsOn: string;
  endsOn: string | null;
  endReason: string | null;
  version: number;
  updatedAt: Date;
}

export function episodeToFhir(episode: Episode, external: readonly ExternalId[]): EpisodeOfCare {
  return {
    resourceType: 'EpisodeOfCare',
    id: episode.id,
    meta: { versionId: String(episode.version), lastUpdated: instantText(episode.updatedAt) },
    extension: [
      extension('group', { valueReference: reference('Group', episode.groupId) }),
      extension('enrollment-status', { valueCode: episode.status }),
      ...(episode.endReason === null
        ? []
        : [extension('end-reason', { valueString: episode.endReason })]),
    ],
    identifier: identifiersOut(episode.id, external),
    status: episodeStatusOf[episode.status],
    type: [concept('service', 'group_therapy')],
    patient: reference('Patient', episode.patientId),
    managingOrganization: reference('Organization', episode.serviceAreaId),
    period: {
      start: episode.startsOn,
      ...(episode.endsOn === null ? {} : { end: episode.endsOn }),
    },
  };
}
