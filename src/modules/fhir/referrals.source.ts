import type { ResourceSource } from './sources.ts';

export const referralSources: readonly ResourceSource[] = [];
