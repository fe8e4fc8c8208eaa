// Reads a rendered YAML stream (kubectl kustomize's output) on stdin and validates every object of the Kubernetes
// API against its schema with kubernetes-models: required fields, types, formats. One line per object:
// "ok KIND NAME", "invalid KIND NAME: reason", or "not-checked KIND NAME" for kinds the API does not define (CRDs,
// which the tests check against their own schemas). Exit code 1 when any object is invalid.
import { readFileSync } from "node:fs";
import YAML from "yaml";

let invalid = 0;
for (const document of YAML.parseAllDocuments(readFileSync(0, "utf8"))) {
  const object = document.toJS();
  if (!object) continue;
  const name = `${object.kind} ${object.metadata?.name ?? "?"}`;
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["", object.apiVersion];
  let model;
  try {
    model = (await import(group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`))[object.kind];
  } catch {
    model = undefined;
  }
  if (!model) {
    console.log(`not-checked ${name}`);
    continue;
  }
  try {
    new model(object).validate();
    console.log(`ok ${name}`);
  } catch (error) {
    invalid++;
    console.log(`invalid ${name}: ${error.message}`);
  }
}
process.exit(invalid === 0 ? 0 : 1);
