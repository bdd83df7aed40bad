import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';

describe('parseConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    expect(parseConfig({})).toEqual({
      PORT: 8080,
      HOST: '127.0.0.1',
      DATABASE_URL: undefined,
      DATA_DIR: './data',
      TZ_ORG: 'America/Los_Angeles',
      LOG_LEVEL: 'info',
      SESSION_IDLE_MINUTES: 15,
      SESSION_MAX_HOURS: 12,
      TRUST_PROXY: 'false',
      CHROMIUM_PATH: '/usr/bin/chromium',
    });
  });

  it('treats empty strings as unset', () => {
    expect(parseConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({
      PORT: 8080,
      DATABASE_URL: undefined,
    });
  });

  it('reads given values', () => {
    expect(
      parseConfig({
        PORT: '9000',
        DATABASE_URL: 'postgres://u@h/db',
        TZ_ORG: 'America/New_York',
        LOG_LEVEL: 'warn',
      }),
    ).toMatchObject({
      PORT: 9000,
      DATABASE_URL: 'postgres://u@h/db',
      TZ_ORG: 'America/New_York',
      LOG_LEVEL: 'warn',
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ TZ_ORG: 'Mars/Olympus_Mons' }, 'TZ_ORG'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ])('refuses %o, naming the variable', (env, name) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(name);
  });
});
