import { describe, expect, it } from 'vitest';
import { validateResource } from '../../test/fhir-validate.ts';

describe('validateResource (the FHIR R4 JSON schema)', () => {
  it('accepts a valid resource', () => {
    expect(
      validateResource({
        resourceType: 'Patient',
        id: 'a1',
        birthDate: '1990-02-28',
        name: [{ text: 'A B', given: ['A'], family: 'B' }],
      }),
    ).toEqual([]);
  });

  it('names the path of a bad value and of an unknown element', () => {
    expect(validateResource({ resourceType: 'Patient', birthDate: 'soon', nickname: 'x' })).toEqual(
      [
        'Patient: unknown element nickname',
        expect.stringMatching(/^Patient\.birthDate: must match pattern/) as string,
      ],
    );
  });

  it('checks the resources inside a Bundle against their own type', () => {
    expect(
      validateResource({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: { resourceType: 'Patient', gender: 'x' } },
          { resource: { resourceType: 'Bot' } },
          { resource: { resourceType: 'Group', type: 'person', actual: true, member: [{}] } },
        ],
      }),
    ).toEqual([
      'Bundle.entry[0].resource.gender: must be one of male, female, other, unknown',
      'Bundle.entry[1].resource: value of tag "resourceType" must be in oneOf',
      'Bundle.entry[2].resource.member[0]: missing required element entity',
    ]);
  });

  it('requires the elements R4 requires, primitives included', () => {
    expect(validateResource({ resourceType: 'Task', intent: 'order' })).toEqual([
      'Task: missing required element status',
    ]);
    expect(
      validateResource({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [{ resource: { resourceType: 'Basic', code: {} }, request: { method: 'POST' } }],
      }),
    ).toEqual(['Bundle.entry[0].request: missing required element url']);
    expect(
      validateResource({ resourceType: 'Patient', extension: [{ valueString: 'x' }] }),
    ).toEqual(['Patient.extension[0]: missing required element url']);
    // A primitive given by its extension alone is present.
    expect(
      validateResource({ resourceType: 'Task', intent: 'order', _status: { extension: [] } }),
    ).toEqual([]);
  });

  it('refuses what is not an R4 resource', () => {
    expect(validateResource([])).toEqual(['(root): a resource is a JSON object']);
    expect(validateResource({ id: 'x' })).toEqual(['(root): missing resourceType']);
    expect(validateResource({ resourceType: 'Project' })).toEqual([
      '(root): Project is not an R4 resource type',
    ]);
    expect(validateResource({ resourceType: 'Patient', meta: { project: 'x' } })).toEqual([
      'Patient.meta: unknown element project',
    ]);
  });
});
