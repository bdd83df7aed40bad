import type { Importer, ResourceSource } from './sources.ts';

export const careSources: readonly ResourceSource[] = [];

export const careImporters: readonly Importer[] = [];
