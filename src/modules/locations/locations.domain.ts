/** A location: a clinic or office in a service area, where in-person groups and visits happen. */
export interface Location {
  id: string;
  serviceAreaId: string;
  name: string;
  address: string;
  lat: number;
  lon: number;
  /** Step-free access for wheelchair users. */
  accessible: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export type NewLocation = Pick<
  Location,
  'serviceAreaId' | 'name' | 'address' | 'lat' | 'lon' | 'accessible'
>;
export type LocationPatch = Partial<NewLocation>;

export interface LocationFilter {
  serviceAreaId?: string | undefined;
}
