// Types of generate-types.js for the tests that run it.
export class GenerationError extends Error {}
export function generate(options?: { schemasDir?: string; outDir?: string }): void;
