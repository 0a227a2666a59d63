// Runs conformance scenarios through the AWS SDK for JavaScript v3 and prints one JSON result
// per scenario. Input (a JSON file named on the command line):
//   {"endpoint": "...", "region": "...", "secret": "...",
//    "scenarios": [{"name", "operation", "params", "accessKey", "paginate"}]}
import { readFileSync } from "node:fs";
import * as chime from "@aws-sdk/client-chime";

const run = JSON.parse(readFileSync(process.argv[2], "utf8"));
const clients = new Map();

function clientFor(accessKey) {
  if (!clients.has(accessKey)) {
    clients.set(accessKey, new chime.ChimeClient({
      endpoint: run.endpoint,
      region: run.region,
      credentials: { accessKeyId: accessKey, secretAccessKey: run.secret },
      maxAttempts: 1,
    }));
  }
  return clients.get(accessKey);
}

// Dates become {"$timestamp": ISO}, so the report shows that the SDK parsed them as dates.
function typed(value) {
  if (value instanceof Date) return { $timestamp: value.toISOString() };
  if (Array.isArray(value)) return value.map(typed);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).filter(([k, v]) => k !== "$metadata" && v !== undefined).map(([k, v]) => [k, typed(v)]),
    );
  }
  return value;
}

async function paginate(scenario, client) {
  const paginator = chime[`paginate${scenario.operation}`];
  const listKey = { ListAccounts: "Accounts", ListUsers: "Users" }[scenario.operation];
  let pages = 0;
  let items = 0;
  for await (const page of paginator({ client, pageSize: scenario.paginate }, scenario.params)) {
    pages += 1;
    items += (page[listKey] || []).length;
  }
  return { ok: true, status: null, output: {}, pages, items };
}

async function execute(scenario) {
  const client = clientFor(scenario.accessKey);
  try {
    if (scenario.paginate) return await paginate(scenario, client);
    const Command = chime[`${scenario.operation}Command`];
    const output = await client.send(new Command(scenario.params));
    return { ok: true, status: output.$metadata.httpStatusCode, output: typed(output) };
  } catch (error) {
    return { ok: false, error: error.name, status: error.$metadata?.httpStatusCode ?? null, message: error.message };
  }
}

const results = {};
for (const scenario of run.scenarios) {
  results[scenario.name] = await execute(scenario);
}
process.stdout.write(JSON.stringify(results));
