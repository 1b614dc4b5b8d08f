import pkg from "../package.json" with { type: "json" };

/** The sbx version recorded in every plan provenance and artifact. */
export const SBX_VERSION: string = pkg.version;
