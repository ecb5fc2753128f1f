// The emulator driven by Twilio's official Node helper library (npm `twilio`), the way a
// third-party tool would use it against Twilio, with a request client that sends every
// `https://*.twilio.com` request to the emulator instead. Checks every resource flex-alerts
// reads. Usage: node check.cjs EMULATOR_URL (with NODE_PATH holding `twilio`); run by
// tests/conformance/run. Every request is bounded by the library's timeout; the whole run
// gives up after 60 seconds.
const twilio = require('twilio');

const [emulator] = process.argv.slice(2);
const account = 'ACe268443e43d93dab7ebef303bbe9642f';
const token = 'emulator-auth-token';
const instance = 'GO7123a699d77db6479a1d8ece2c4f1c16';
const workspaceSid = 'WS1629dee48cc4e53161f9b2be8614e062';
setTimeout(() => { console.error('error: gave up after 60 s'); process.exit(1); }, 60_000).unref();

class ToTheEmulator extends twilio.RequestClient {
  request(opts) {
    return super.request({ ...opts, uri: opts.uri.replace(/^https:\/\/[a-z-]+\.twilio\.com/, emulator), timeout: 10_000 });
  }
}
const client = twilio(account, token, { httpClient: new ToTheEmulator() });

let passed = 0;
const failures = [];
async function check(name, run) {
  try {
    const detail = await run();
    if (detail !== true) throw new Error(`got ${JSON.stringify(detail)}`);
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (error) {
    failures.push(name);
    console.log(`FAIL ${name}\n     ${error.message ?? error}`);
  }
}
const raw = async (path) => {
  const response = await client.request({ method: 'get', uri: `https://flex-api.twilio.com${path}` });
  return response;
};

// A list the later checks build on: empty (and those checks failing) when it fails.
const listed = async (name, list) => {
  try {
    return await list();
  } catch (error) {
    failures.push(name);
    console.log(`FAIL ${name}\n     ${error.message ?? error}`);
    return [];
  }
};

(async () => {
  const workspace = client.taskrouter.v1.workspaces(workspaceSid);
  await check('flex configuration fetch', async () => {
    const configuration = await client.flexApi.v1.configuration().fetch();
    return configuration.accountSid === account && configuration.taskrouterWorkspaceSid === workspaceSid
      && typeof configuration.notifications?.mode === 'string' || configuration;
  });
  await check('workspace fetch', async () => (await workspace.fetch()).sid === workspaceSid);
  const queues = await listed('task queues list', () => workspace.taskQueues.list());
  await check('task queues list (paged by the library)', async () => queues.length >= 3 || queues.length);
  await check('task queues list filtered by friendlyName', async () => {
    const found = await workspace.taskQueues.list({ friendlyName: 'Support' });
    return (found.length === 1 && found[0].friendlyName === 'Support') || found.map((q) => q.friendlyName);
  });
  await check('task queues list ordered by date created, descending', async () => {
    const found = await workspace.taskQueues.list({ ordering: 'DateCreated:desc' });
    return found.map((q) => q.sid).join() === queues.map((q) => q.sid).reverse().join() || found.map((q) => q.sid);
  });
  await check('task queues list refuses a bad Ordering with a RestException', async () => {
    try {
      await workspace.taskQueues.list({ ordering: 'Sideways' });
      return 'accepted';
    } catch (error) {
      return (error.status === 400 && error.code === 20001) || `${error.status} ${error.code}`;
    }
  });
  const queue = workspace.taskQueues(queues[0]?.sid ?? 'WQ00000000000000000000000000000000');
  await check('task queue fetch', async () => (await queue.fetch()).sid === queues[0].sid);
  await check('task queue statistics fetch', async () => {
    const statistics = await queue.statistics().fetch();
    return (typeof statistics.realtime === 'object' && typeof statistics.cumulative === 'object') || statistics;
  });
  await check('task queue real-time statistics fetch', async () => {
    const statistics = await queue.realTimeStatistics().fetch();
    return Number.isInteger(statistics.totalTasks) || statistics;
  });
  await check('task queue cumulative statistics fetch (15 minutes)', async () => {
    const statistics = await queue.cumulativeStatistics().fetch({ minutes: 15 });
    return Number.isInteger(statistics.tasksEntered) || statistics;
  });
  await check('the statistics link of a queue answers', async () => {
    const response = await client.request({ method: 'get', uri: queues[0].links.statistics });
    return response.statusCode === 200 || response.statusCode;
  });
  const channels = await listed('task channels list', () => workspace.taskChannels.list());
  await check('task channels list', async () => channels.some((c) => c.uniqueName === 'voice') || channels);
  await check('task channel fetch by SID and by unique name', async () => {
    const bySid = await workspace.taskChannels(channels[0].sid).fetch();
    const byName = await workspace.taskChannels('voice').fetch();
    return (bySid.sid === channels[0].sid && byName.uniqueName === 'voice') || [bySid.sid, byName.sid];
  });
  const activities = await listed('activities list', () => workspace.activities.list());
  await check('activities list', async () => activities.some((a) => a.friendlyName === 'Offline') || activities);
  await check('activity fetch (its own url)', async () => (await workspace.activities(activities[0].sid).fetch()).sid === activities[0].sid);
  const workers = await listed('workers list', () => workspace.workers.list());
  await check('workers list', async () => workers.length > 0 || workers.length);
  await check('worker fetch', async () => (await workspace.workers(workers[0].sid).fetch()).sid === workers[0].sid);
  await check('a channel\'s links.workspace answers', async () => {
    const response = await client.request({ method: 'get', uri: channels[0].links.workspace });
    return response.statusCode === 200 || response.statusCode;
  });
  await check('flex users (no helper resource: a raw request)', async () => {
    const response = await raw(`/v1/Instances/${instance}/Users`);
    const body = typeof response.body === 'string' ? JSON.parse(response.body) : response.body;
    return (response.statusCode === 200 && Array.isArray(body.users)) || response.statusCode;
  });
  await check('insights rules (no helper resource: a raw request)', async () => {
    const response = await raw(`/v1/Instances/${instance}/InsightsRules`);
    return response.statusCode === 200 || response.statusCode;
  });
  await check('wrong credentials are a RestException 401 with code 20003', async () => {
    const wrong = twilio(account, 'wrong', { httpClient: new ToTheEmulator() });
    try {
      await wrong.taskrouter.v1.workspaces(workspaceSid).fetch();
      return 'accepted';
    } catch (error) {
      return (error.status === 401 && error.code === 20003) || `${error.status} ${error.code}`;
    }
  });
  console.log(`node twilio: ${passed} passed, ${failures.length} failed`);
  process.exit(failures.length === 0 ? 0 : 1);
})();
