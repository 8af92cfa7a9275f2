// @actions/workflow-parser imports its JSON schema without an import attribute, which bundlers accept and Node.js
// refuses; this loader hook adds `type: "json"` to such imports.
export async function load(url, context, nextLoad) {
  if (url.endsWith(".json")) {
    return nextLoad(url, { ...context, importAttributes: { type: "json" } });
  }
  return nextLoad(url, context);
}
