// Writes src/generated.ts from ../openapi.json (the server's own document): a type per schema
// and the resource namespaces with their methods. `node scripts/generate.mjs --check` fails
// when the committed file is not what the document makes (run by `npm test`).

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const doc = JSON.parse(readFileSync(here("../../openapi.json"), "utf8"));
const OUT = here("../src/generated.ts");

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const pascal = (s) => camel(s).replace(/^./, (c) => c.toUpperCase());
const ident = (s) => (/^[A-Za-z_$][\w$]*$/.test(s) ? s : JSON.stringify(s));
const refName = (ref) => ref.split("/").pop();

/** The TypeScript type of a JSON schema. */
function tsType(schema, depth = 0) {
  if (!schema || typeof schema !== "object") return "unknown";
  if (schema.$ref) return refName(schema.$ref);
  // A constraint without a type of its own (`{"not": {"type": "null"}}`, an operation's rule
  // that a field is present): it narrows nothing TypeScript can say.
  if (schema.not && !schema.type && !schema.properties) return "unknown";
  // An object's own properties are its type; `allOf`/`anyOf` beside them only add rules
  // between its fields (which fields go together), which the server checks and reports.
  if (schema.properties && !schema.$ref) return objectBody(schema, depth + 1);
  if (schema.oneOf || schema.anyOf) return [...new Set((schema.oneOf ?? schema.anyOf).map((s) => tsType(s, depth)))].join(" | ");
  if (schema.allOf) {
    // A request body: its schema, and the fields the operation requires. Rules between fields
    // (`oneOf`, nested `allOf`) are left to the server.
    const parts = schema.allOf.filter((s) => !s.oneOf && !s.anyOf && !s.allOf);
    return parts.map((s) => tsType(s, depth)).join(" & ");
  }
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length > 1) return types.map((t) => tsType({ ...schema, type: t }, depth)).join(" | ");
  switch (types[0]) {
    case "string":
      return "string";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "array": {
      const item = tsType(schema.items, depth);
      return /[|&]/.test(item) ? `Array<${item}>` : `${item}[]`;
    }
    case "object":
    default: {
      if (schema.properties) return objectBody(schema, depth + 1);
      if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
        return `Record<string, ${tsType(schema.additionalProperties, depth)}>`;
      }
      return "Record<string, any>";
    }
  }
}

function objectBody(schema, depth) {
  const pad = "  ".repeat(depth);
  const required = new Set(schema.required ?? []);
  const lines = Object.entries(schema.properties).map(([name, prop]) => {
    const doc = prop.description ? `${pad}/** ${prop.description.replace(/\*\//g, "*\\/").replace(/\n/g, " ")} */\n` : "";
    return `${doc}${pad}${ident(name)}${required.has(name) ? "" : "?"}: ${tsType(prop, depth)};`;
  });
  return `{\n${lines.join("\n")}\n${"  ".repeat(depth - 1)}}`;
}

function types() {
  return Object.entries(doc.components?.schemas ?? {})
    .map(([name, schema]) => {
      const doc = schema.description ? `/** ${schema.description.replace(/\*\//g, "*\\/").replace(/\n/g, " ")} */\n` : "";
      return `${doc}export type ${name} = ${tsType(schema)};`;
    })
    .join("\n\n");
}

// Where the guides name a method differently from the document's operation.
const RENAMED = {
  create_payment_session: [["payments"], "createSession"],
  refund_payment: [["payments"], "refund"],
  get_receipt: [["payments"], "retrieveReceipt"],
  get_context: [["checkout"], "retrieveContext"],
  create_usage_record: [["usage"], "record"],
  list_usage_records: [["usage"], "list"],
};
// Not JSON: nothing for an SDK to call.
const SKIPPED = new Set(["elements_js"]);

/** Each operation's resource path (`["loyalty", "points"]`) and method name. */
function operations() {
  const ops = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const verb of ["get", "post", "delete"]) {
      const op = item[verb];
      if (!op || SKIPPED.has(op.operationId)) continue;
      const segments = path.split("/").slice(2);
      const statics = segments.filter((s) => !s.startsWith("{"));
      const params = segments.filter((s) => s.startsWith("{")).map((s) => s.slice(1, -1));
      const first = op.operationId.split("_")[0];
      const crud = { create: "create", list: "list", get: "retrieve", update: "update", delete: "del" }[first];
      const afterParam = segments.length > 1 && segments[segments.length - 2].startsWith("{") ? segments[segments.length - 1] : null;
      let resource;
      let method;
      if (RENAMED[op.operationId]) {
        [resource, method] = RENAMED[op.operationId];
      } else if (afterParam !== null) {
        // /v1/things/{id}/action or /v1/things/{id}/sub
        resource = statics.slice(0, -1);
        method = crud ? crud + pascal(afterParam) : camel(afterParam);
      } else if (segments[segments.length - 1].startsWith("{")) {
        resource = statics;
        method = crud ?? first;
      } else if (crud !== undefined) {
        // A collection (create, list) or a singleton (/v1/account, /v1/balance: retrieve).
        resource = statics;
        method = crud;
      } else {
        // /v1/loyalty/points/earn, /v1/invoices/upcoming: an action of the resource above.
        resource = statics.slice(0, -1);
        method = camel(statics[statics.length - 1]);
      }
      const schemaOf = (o) => o?.content?.["application/json"]?.schema;
      const body = schemaOf(op.requestBody);
      const ok = schemaOf(op.responses?.["200"]) ?? schemaOf(op.responses?.["201"]);
      ops.push({ path, verb, op, resource: resource.map(camel), method, params, body, ok, isList: crud === "list" || method.startsWith("list") });
    }
  }
  // A list's items are what retrieving one of them answers.
  for (const o of ops.filter((o) => o.isList)) {
    const one = doc.paths[`${o.path}/{id}`]?.get;
    const schema = one?.responses?.["200"]?.content?.["application/json"]?.schema;
    o.item = schema ? tsType(schema) : "VinrObject";
  }
  return ops;
}

function methodCode(o, pad) {
  const args = o.params.map((p) => `${camel(p)}: string`);
  const url = "`" + o.path.replace(/\{(\w+)\}/g, (_, p) => "${encodeURIComponent(" + camel(p) + ")}") + "`";
  const params = o.body ? `params: Params<${tsType(o.body)}> = {}` : "params: Params = {}";
  const summary = (o.op.summary ?? o.op.description ?? "").split("\n")[0].replace(/\*\//g, "");
  const docLine = `${pad}/** ${o.verb.toUpperCase()} ${o.path}${summary ? `: ${summary}` : ""} */\n`;
  const all = [...args, params, "options?: RequestOptions"].join(", ");
  if (o.isList) {
    return `${docLine}${pad}${o.method}: (${all}): ListResult<Camel<${o.item}>> =>\n${pad}  listResult<Camel<${o.item}>>(http, ${url}, params, options),`;
  }
  const out = `Camel<${o.ok ? tsType(o.ok) : "VinrObject"}>`;
  return `${docLine}${pad}${o.method}: (${all}): Promise<${out}> =>\n${pad}  http.request<${out}>("${o.verb.toUpperCase()}", ${url}, params, options),`;
}

function resources() {
  const tree = {};
  for (const o of operations()) {
    let node = tree;
    for (const r of o.resource) node = node[r] ??= {};
    (node.__methods ??= []).push(o);
  }
  const render = (node, depth) => {
    const pad = "  ".repeat(depth);
    const parts = [];
    for (const o of (node.__methods ?? []).sort((a, b) => a.method.localeCompare(b.method))) parts.push(methodCode(o, pad));
    for (const key of Object.keys(node).filter((k) => k !== "__methods").sort()) {
      parts.push(`${pad}${key}: {\n${render(node[key], depth + 1)}\n${pad}},`);
    }
    return parts.join("\n");
  };
  return `/** Every resource of the API, its methods bound to \`http\`. */\nexport function resources(http: HttpClient) {\n  return {\n${render(tree, 2)}\n  };\n}`;
}

const text = `// Generated by scripts/generate.mjs from sdks/openapi.json: do not edit.

import type { HttpClient, RequestOptions } from "./client.js";
import { listResult, type Camel, type ListResult, type Params, type VinrObject } from "./runtime.js";

${types()}

${resources()}
`;

if (process.argv.includes("--check")) {
  if (readFileSync(OUT, "utf8") !== text) {
    console.error("src/generated.ts is stale: run `npm run generate` (after `make sdk-openapi`).");
    process.exit(1);
  }
} else {
  writeFileSync(OUT, text);
}
