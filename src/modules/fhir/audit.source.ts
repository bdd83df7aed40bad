import type { ResourceSource } from './sources.ts';

export const auditSources: readonly ResourceSource[] = [];
