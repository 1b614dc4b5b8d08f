/**
 * `sbx import`: sandbox scenario YAML → .sbx. `importYaml` is the pure
 * conversion; `importAndVerify` also compiles the output and reports the
 * compiler's findings against the YAML.
 */
export { importYaml, groupNames, numberText, stringText, type ImportOptions, type ImportResult } from "./convert.ts";
export { importAndVerify, sbxPathFor, type CheckedImport, type VerifyOptions } from "./verify.ts";
export { CRITERIA, YAML_KEYS, keysAt, type CriterionMapping, type Handling, type YamlKey } from "./schema.ts";
export { mappingTable } from "./mapping-table.ts";
