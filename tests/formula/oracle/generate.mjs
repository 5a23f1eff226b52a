// Evaluate every case of cases.json with formulon (an open-source Salesforce formula
// evaluator) and write expected.json. The test suite reads expected.json and needs no
// Node; run this only to regenerate it. See README.md.
//
//   npm install --no-save formulon@6.25.6 && node generate.mjs

import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(process.cwd(), "package.json"));
const formulon = require("formulon");
const version = require("formulon/package.json").version;

// A case variable → formulon's identifier form.
function literal(spec) {
  const options = {};
  let value = spec.value;
  let dataType = spec.type;
  if (dataType === "number") {
    options.length = 18;
    options.scale = 4;
  }
  if (dataType === "text") options.length = 255;
  if (dataType === "picklist" || dataType === "multipicklist") options.values = spec.values;
  if ((dataType === "date" || dataType === "datetime") && value !== null) {
    value = new Date(dataType === "date" ? `${value}T00:00:00Z` : value);
  }
  return { type: "literal", dataType, value, options };
}

// formulon's result → plain JSON.
function plain(result) {
  if (result.type === "error") return { error: result.message || result.errorType };
  let value = result.value;
  if (value instanceof Date) {
    value = result.dataType === "date" ? value.toISOString().slice(0, 10) : value.toISOString();
  }
  return { type: result.dataType, value };
}

const { cases } = JSON.parse(readFileSync(join(here, "cases.json"), "utf8"));
const out = [];
for (const c of cases) {
  const vars = Object.fromEntries(Object.entries(c.vars || {}).map(([k, v]) => [k, literal(v)]));
  let result;
  try {
    result = plain(formulon.parse(c.formula, vars));
  } catch (e) {
    result = { error: `formulon raised: ${e.message}` };
  }
  out.push({ id: c.id, formula: c.formula, result });
}
const text = JSON.stringify({ generator: `formulon ${version}`, results: out }, null, 1);
writeFileSync(join(here, "expected.json"), text + "\n");
console.log(`wrote ${out.length} results with formulon ${version}`);
