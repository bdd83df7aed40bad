import { readFileSync } from 'node:fs';

/** The software's version, as package.json gives it: reports and the CapabilityStatement cite it. */
export const softwareVersion: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
