import { describe, expect, it } from 'vitest';
import { modalitiesOffering } from './outside-providers.domain.ts';

describe('modalitiesOffering', () => {
  it.each([
    { wanted: 'in_person', stored: ['in_person', 'both'] },
    { wanted: 'virtual', stored: ['virtual', 'both'] },
    { wanted: 'both', stored: ['both'] },
  ] as const)('$wanted is offered by $stored', ({ wanted, stored }) => {
    expect(modalitiesOffering(wanted)).toEqual(stored);
  });
});
