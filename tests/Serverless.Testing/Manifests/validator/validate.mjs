// Validates Kubernetes and KEDA documents with the JSON-schema validators the npm packages kubernetes-models and
// @kubernetes-models/keda ship (generated from the upstream OpenAPI schemas and CRDs), for ManifestValidator.cs.
// stdin: a JSON array of documents; stdout: a JSON array, per document, of {pointer, message}.
//
// Those schemas leave objects open (unknown fields pass), but the API server prunes an unknown field of a
// structural schema silently, so a misspelt field must fail here. The generated validators read exactly the
// properties their schema declares; an object whose keys they enumerate is a map (labels, trigger metadata), one
// they never look into is free-form. Every other key they never read is unknown to the schema.
import { readFileSync } from "node:fs";

const schemas = {
  "apps/v1 Deployment": "kubernetes-models/_schemas/IoK8sApiAppsV1Deployment",
  "v1 Service": "kubernetes-models/_schemas/IoK8sApiCoreV1Service",
  "v1 ConfigMap": "kubernetes-models/_schemas/IoK8sApiCoreV1ConfigMap",
  "v1 Secret": "kubernetes-models/_schemas/IoK8sApiCoreV1Secret",
  "v1 ServiceAccount": "kubernetes-models/_schemas/IoK8sApiCoreV1ServiceAccount",
  "networking.k8s.io/v1 NetworkPolicy": "kubernetes-models/_schemas/IoK8sApiNetworkingV1NetworkPolicy",
  "policy/v1 PodDisruptionBudget": "kubernetes-models/_schemas/IoK8sApiPolicyV1PodDisruptionBudget",
  "autoscaling/v2 HorizontalPodAutoscaler": "kubernetes-models/_schemas/IoK8sApiAutoscalingV2HorizontalPodAutoscaler",
  "keda.sh/v1alpha1 ScaledObject": "@kubernetes-models/keda/_schemas/ComGithubKedacoreKedaV2ApisKedaV1alpha1ScaledObject",
  "keda.sh/v1alpha1 TriggerAuthentication": "@kubernetes-models/keda/_schemas/ComGithubKedacoreKedaV2ApisKedaV1alpha1TriggerAuthentication",
};

const escape = (key) => key.replaceAll("~", "~0").replaceAll("/", "~1");

/** The document behind proxies that record, per JSON pointer, which keys were read and whether keys were listed. */
function watch(value, pointer, seen) {
  if (value === null || typeof value !== "object") {
    return value;
  }

  const record = { read: new Set(), listed: false };
  seen.set(pointer, record);
  const children = new Map();
  return new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key !== "string" || (Array.isArray(target) && key === "length")) {
        return Reflect.get(target, key, receiver);
      }

      record.read.add(key);
      if (!Object.hasOwn(target, key)) {
        return undefined;
      }

      if (!children.has(key)) {
        children.set(key, watch(target[key], `${pointer}/${escape(key)}`, seen));
      }

      return children.get(key);
    },
    ownKeys(target) {
      record.listed = true;
      return Reflect.ownKeys(target);
    },
    has(target, key) {
      record.read.add(key);
      return Reflect.has(target, key);
    },
  });
}

function unknownFields(value, pointer, seen, found) {
  if (value === null || typeof value !== "object") {
    return;
  }

  const record = seen.get(pointer);
  if (record === undefined) {
    return;
  }

  for (const [key, child] of Object.entries(value)) {
    const at = `${pointer}/${escape(key)}`;
    if (!Array.isArray(value) && !record.listed && record.read.size > 0 && !record.read.has(key)) {
      found.push({ pointer: at, message: "unknown field (the API server would drop it silently)" });
      continue;
    }

    unknownFields(child, at, seen, found);
  }
}

const loaded = new Map();
async function validatorFor(document) {
  const id = `${document?.apiVersion} ${document?.kind}`;
  if (!(id in schemas)) {
    return null;
  }

  if (!loaded.has(id)) {
    // By file: @kubernetes-models/keda does not export its _schemas.
    loaded.set(id, (await import(new URL(`./node_modules/${schemas[id]}.js`, import.meta.url))).validate);
  }

  return loaded.get(id);
}

const documents = JSON.parse(readFileSync(0, "utf8"));
const results = [];
for (const document of documents) {
  const validate = await validatorFor(document);
  if (validate === null) {
    results.push([{ pointer: "/apiVersion", message: `no schema for ${document?.apiVersion} ${document?.kind} in kubernetes-models or @kubernetes-models/keda` }]);
    continue;
  }

  const seen = new Map();
  const errors = validate(watch(document, "", seen))
    ? []
    : (validate.errors ?? []).map((e) => ({ pointer: e.instancePath || "/", message: `${e.keyword}: ${JSON.stringify(e.params)}` }));
  const found = [...errors];
  unknownFields(document, "", seen, found);
  results.push(found);
}

process.stdout.write(JSON.stringify(results));
