import type {
  Accommodation,
  Certification,
  ProviderModality,
  Specialty,
} from '../vocabulary/vocabulary.domain.ts';

/** A provider outside the network that patients can be referred to. */
export interface OutsideProvider {
  id: string;
  name: string;
  organization: string | null;
  /** National Provider Identifier, when known: 10 digits, unique. */
  npi: string | null;
  specialties: Specialty[];
  /** ISO 639 codes. */
  languages: string[];
  certifications: Certification[];
  modality: ProviderModality;
  lat: number;
  lon: number;
  accommodations: Accommodation[];
  /** New patients the provider can take per week. */
  weeklyCapacity: number;
  accepting: boolean;
  /** When the provider last confirmed their capacity, if ever. */
  capacityConfirmedAt: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export type NewOutsideProvider = Omit<
  OutsideProvider,
  'id' | 'version' | 'createdAt' | 'updatedAt'
>;
export type OutsideProviderPatch = Partial<NewOutsideProvider>;

/** Every given criterion must hold; array criteria mean "has this one among theirs". */
export interface OutsideProviderFilter {
  specialty?: Specialty | undefined;
  language?: string | undefined;
  certification?: Certification | undefined;
  /** Providers who offer this modality: `virtual` includes those who see patients both ways. */
  modality?: ProviderModality | undefined;
  accepting?: boolean | undefined;
  accommodation?: Accommodation | undefined;
}

/** The stored modalities of providers who offer `wanted`. */
export function modalitiesOffering(wanted: ProviderModality): ProviderModality[] {
  switch (wanted) {
    case 'in_person':
      return ['in_person', 'both'];
    case 'virtual':
      return ['virtual', 'both'];
    case 'both':
      return ['both'];
  }
}
