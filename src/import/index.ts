/**
 * `sbx import`: sandbox scenario YAML → .sbx. `importYaml` is the pure
 * conversion; `importAndVerify` also compiles the output and reports the
 * compiler's findings against the YAML.
 */
export { importYaml, groupNames, type ImportOptions, type ImportResult } from "./convert.ts";
export { numberText, stringText } from "./values.ts";
export { importAndVerify, sbxPathFor, type CheckedImport, type VerifyOptions } from "./verify.ts";
export { CRITERIA, TARGETS, YAML_KEYS, keysAt, type CriterionMapping, type Handling, type Target, type YamlKey } from "./schema.ts";
export { mappingTable } from "./mapping-table.ts";
