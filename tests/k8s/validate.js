// Validates Kubernetes objects offline: reads a multi-document YAML stream
// (what `kubectl kustomize deploy/k8s` renders) on stdin, checks each
// object against its Kubernetes schema (kubernetes-models' generated
// validators: types, required fields, enums) and refuses fields the schema
// does not know (a typo the API server's strict validation would refuse:
// every key the validator never reads is unknown). Prints the objects as
// JSON on stdout for further checks, or every problem on stderr and exits 1.
"use strict";

const path = require("path");
const YAML = require("yaml");

// apiVersion's group -> the schema names' word for it.
const GROUPS = { "": "Core", apps: "Apps", batch: "Batch", "networking.k8s.io": "Networking",
                 "policy": "Policy", "rbac.authorization.k8s.io": "Rbac" };

function schemaFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const word = GROUPS[group];
  if (!word) throw new Error(`no schema for apiVersion ${apiVersion}`);
  const name = `IoK8sApi${word}${version[0].toUpperCase()}${version.slice(1)}${kind}`;
  // The generated validators are not in the package's exports: by file.
  const models = path.dirname(require.resolve("kubernetes-models/package.json"));
  return require(path.join(models, "_schemas", `${name}.js`)).validate;
}

/// `value` wrapped so that every key the validator reads is recorded.
function tracked(value, path, records) {
  if (value === null || typeof value !== "object") return value;
  const record = { path, keys: Array.isArray(value) ? [] : Object.keys(value), read: new Set(),
                   enumerated: false };
  records.push(record);
  const copy = Array.isArray(value)
      ? value.map((item, i) => tracked(item, `${path}/${i}`, records))
      : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tracked(v, `${path}/${k}`, records)]));
  return new Proxy(copy, {
    get(target, key, receiver) {
      if (typeof key === "string") record.read.add(key);
      return Reflect.get(target, key, receiver);
    },
    has(target, key) {
      if (typeof key === "string") record.read.add(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      record.enumerated = true;  // a map (labels, annotations): any key is its own
      return Reflect.ownKeys(target);
    },
  });
}

function check(object, where) {
  const problems = [];
  if (!object || !object.apiVersion || !object.kind) return [`${where}: no apiVersion or kind`];
  let validate;
  try {
    validate = schemaFor(object.apiVersion, object.kind);
  } catch (error) {
    return [`${where} ${object.kind}: ${error.message}`];
  }
  const records = [];
  const name = `${object.kind} ${(object.metadata || {}).name}`;
  if (!validate(tracked(object, "", records))) {
    for (const e of validate.errors) {
      // The generated validators carry no message: the keyword and its parameters say it.
      problems.push(`${name}: ${e.instancePath || "/"}: ${e.message || e.keyword} ${JSON.stringify(e.params)}`);
    }
  }
  for (const r of records) {
    if (r.enumerated) continue;
    for (const key of r.keys) {
      if (!r.read.has(key)) problems.push(`${name}: ${r.path || "/"}: unknown field "${key}"`);
    }
  }
  return problems;
}

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const documents = YAML.parseAllDocuments(input);
  const objects = [];
  const problems = [];
  documents.forEach((document, i) => {
    if (document.errors.length) problems.push(`document ${i + 1}: ${document.errors[0].message}`);
    const object = document.toJS();
    if (object === null) return;
    objects.push(object);
    problems.push(...check(object, `document ${i + 1}`));
  });
  if (problems.length) {
    process.stderr.write(problems.join("\n") + "\n");
    process.exit(1);
  }
  process.stdout.write(JSON.stringify(objects));
});
