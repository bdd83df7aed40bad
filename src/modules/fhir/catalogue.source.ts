import type { Importer, ResourceSource } from './sources.ts';

export const catalogueSources: readonly ResourceSource[] = [];

export const catalogueImporters: readonly Importer[] = [];
