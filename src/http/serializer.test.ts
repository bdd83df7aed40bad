import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { instant, pageOf } from './codecs.ts';
import { compiledSerializer } from './serializer.ts';

type Input = Parameters<typeof compiledSerializer>[0];
const inputOf = (schema: z.ZodType): Input => ({
  schema,
  method: 'GET',
  url: '/test',
  httpStatus: '200',
});

const user = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(['admin', 'coordinator']),
  clinicianId: z.uuid().nullable(),
  createdAt: instant,
  lastLoginAt: instant.nullable(),
  tags: z.array(z.string()),
  detail: z.record(z.string(), z.unknown()),
  note: z.string().optional(),
});

const row = {
  id: '018cc253-df0f-70f1-8de5-319d9197361e',
  email: 'a@example.org',
  role: 'admin',
  clinicianId: null,
  createdAt: new Date('2025-03-03T17:00:00.000Z'),
  lastLoginAt: new Date('2025-03-04T08:30:00.250Z'),
  tags: ['x', 'émoji 🎉', 'quote " and \\ backslash', '\u202e'],
  detail: { nested: { a: [1, 2, null] }, flag: true },
};

describe('the compiled response serializer', () => {
  it('writes what zod would write, for a page of records with instants, nulls and odd text', () => {
    const schema = pageOf(user);
    const data = { items: [row, { ...row, note: 'n', lastLoginAt: null }], nextCursor: 'abc' };
    const compiled = compiledSerializer(inputOf(schema))(data);
    const zods = zodSerializerCompiler(inputOf(schema))(data);
    expect(JSON.parse(compiled)).toEqual(JSON.parse(zods));
    expect(JSON.parse(compiled)).toMatchObject({
      items: [
        { createdAt: '2025-03-03T17:00:00.000Z', lastLoginAt: '2025-03-04T08:30:00.250Z' },
        {},
      ],
    });
  });

  it('never writes a field the schema does not name', () => {
    const body = compiledSerializer(inputOf(user))({
      ...row,
      password_hash: '$argon2id$secret',
      passwordHash: 'secret',
    });
    expect(body).not.toContain('secret');
    expect(Object.keys(JSON.parse(body) as object)).not.toContain('password_hash');
  });

  it('throws, rather than answering half a body, when a required field is missing', () => {
    const partial: Partial<typeof row> = { ...row };
    delete partial.email;
    expect(() => compiledSerializer(inputOf(user))(partial)).toThrow(/email/);
  });

  it('keeps zod, and its checks, for a schema JSON Schema cannot express', () => {
    // A bare Date is no JSON: zod's serializer is kept, and it still refuses a wrong value.
    const serialize = compiledSerializer(inputOf(z.object({ at: z.date() })));
    expect(serialize({ at: new Date('2025-03-03T17:00:00.000Z') })).toBe(
      '{"at":"2025-03-03T17:00:00.000Z"}',
    );
    expect(() => serialize({ at: 'not a date' })).toThrow();
    const compiled = compiledSerializer(inputOf(z.object({ n: z.number() })));
    expect(compiled({ n: 2, extra: 1 })).toBe('{"n":2}');
  });
});
