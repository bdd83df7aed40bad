/** A service area: a region of the plan with its enrolled population, the denominator for rates. */
export interface ServiceArea {
  id: string;
  code: string;
  name: string;
  lat: number;
  lon: number;
  /** Enrolled members of the plan in this area. */
  members: number;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export type NewServiceArea = Pick<ServiceArea, 'code' | 'name' | 'lat' | 'lon' | 'members'>;
export type ServiceAreaPatch = Partial<NewServiceArea>;

export interface ServiceAreaFilter {
  code?: string | undefined;
}
