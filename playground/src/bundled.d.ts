/** The standard library and the shipped scenarios, bundled by playground/build.mjs: absolute path in the virtual file system → text. */
declare module "sbx:bundled-files" {
  const files: Readonly<Record<string, string>>;
  export default files;
}
