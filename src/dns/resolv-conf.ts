// Moved to src/util/resolv-conf.ts (the node agent uses it too); kept for the DNS wiring's imports.
export * from '../util/resolv-conf.ts';
