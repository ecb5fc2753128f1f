"""The emulator driven by Twilio's official Python helper library (PyPI `twilio`), with an HTTP
client that sends every `https://*.twilio.com` request to the emulator instead; every resource
flex-alerts reads is checked, and every TaskRouter and Flex Configuration answer it gets is
validated against twilio-oai's schemas (tests/conformance/twilio-oai/schemas.json), every
property they list present. Usage: python check.py EMULATOR_URL; run by tests/conformance/run.
Every request has a 10-second timeout."""

import json
import pathlib
import re
import sys

import jsonschema
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

EMULATOR = sys.argv[1]
ACCOUNT = "ACe268443e43d93dab7ebef303bbe9642f"
TOKEN = "emulator-auth-token"
INSTANCE = "GO7123a699d77db6479a1d8ece2c4f1c16"
WORKSPACE = "WS1629dee48cc4e53161f9b2be8614e062"
VENDORED = json.loads((pathlib.Path(__file__).parents[1] / "twilio-oai" / "schemas.json").read_text())

answers = []


class ToTheEmulator(TwilioHttpClient):
    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None, allow_redirects=False):
        url = re.sub(r"^https://[a-z-]+\.twilio\.com", EMULATOR, url)
        response = super().request(method, url, params, data, headers, auth, 10, allow_redirects)
        answers.append((url, response.status_code, response.text))
        return response


client = Client(ACCOUNT, TOKEN, http_client=ToTheEmulator())
passed, failures = 0, []


def check(name, run):
    global passed
    try:
        result = run()
        if result is not True:
            raise AssertionError(f"got {result!r}")
        passed += 1
        print(f"ok   {name}")
    except Exception as error:  # a failed check says why and the next one runs
        failures.append(name)
        print(f"FAIL {name}\n     {error}")


def listed(name, run):
    try:
        return run()
    except Exception as error:
        failures.append(name)
        print(f"FAIL {name}\n     {error}")
        return []


def refused(run, status, code):
    """Whether `run` fails with Twilio's error `status` and `code` (a fetch raises
    TwilioRestException; a list page, TwilioException with the response)."""
    try:
        run()
        return "accepted"
    except TwilioRestException as error:
        return (error.status == status and error.code == code) or f"{error.status} {error.code}"
    except TwilioException as error:
        response = error.args[1]
        body = json.loads(response.text)
        return (response.status_code == status and body.get("code") == code) or f"{response.status_code} {body}"


workspace = client.taskrouter.v1.workspaces(WORKSPACE)
check("flex configuration fetch", lambda: client.flex_api.v1.configuration().fetch().account_sid == ACCOUNT)
check("workspace fetch", lambda: workspace.fetch().sid == WORKSPACE)
queues = listed("task queues list", lambda: workspace.task_queues.list())
check("task queues list (paged by the library)", lambda: len(queues) >= 3 or len(queues))
check("task queues list filtered by friendly_name", lambda: [q.friendly_name for q in workspace.task_queues.list(friendly_name="Support")] == ["Support"] or "not one")
check("task queues list ordered by date created, descending", lambda: [q.sid for q in workspace.task_queues.list(ordering="DateCreated:desc")] == [q.sid for q in reversed(queues)])
check("task queues list refuses a bad WorkerSid with 400/20001", lambda: refused(lambda: workspace.task_queues.list(worker_sid="WK1"), 400, 20001))
queue = workspace.task_queues(queues[0].sid if queues else "WQ00000000000000000000000000000000")
check("task queue fetch", lambda: queue.fetch().sid == queues[0].sid)
check("task queue statistics fetch", lambda: isinstance(queue.statistics().fetch().realtime, dict))
check("task queue real-time statistics fetch", lambda: isinstance(queue.real_time_statistics().fetch().total_tasks, int))
check("task queue cumulative statistics fetch (15 minutes)", lambda: isinstance(queue.cumulative_statistics().fetch(minutes=15).tasks_entered, int))
check("the statistics link of a queue answers", lambda: client.request("GET", queues[0].links["statistics"]).status_code == 200)
channels = listed("task channels list", lambda: workspace.task_channels.list())
check("task channels list holds voice", lambda: any(c.unique_name == "voice" for c in channels))
check("task channel fetch by unique name", lambda: workspace.task_channels("voice").fetch().unique_name == "voice")
activities = listed("activities list", lambda: workspace.activities.list())
check("activity fetch (its own url)", lambda: workspace.activities(activities[0].sid).fetch().sid == activities[0].sid)
workers = listed("workers list", lambda: workspace.workers.list())
check("worker fetch", lambda: workspace.workers(workers[0].sid).fetch().sid == workers[0].sid)
check("flex users (no helper resource: a raw request)", lambda: client.request("GET", f"https://flex-api.twilio.com/v1/Instances/{INSTANCE}/Users").status_code == 200)
check("insights rules (no helper resource: a raw request)", lambda: client.request("GET", f"https://flex-api.twilio.com/v1/Instances/{INSTANCE}/InsightsRules").status_code == 200)
check("wrong credentials are a 401 with code 20003", lambda: refused(lambda: Client(ACCOUNT, "wrong", http_client=ToTheEmulator()).taskrouter.v1.workspaces(WORKSPACE).fetch(), 401, 20003))

# Every answer the library got, against twilio-oai's schema of its path.
templates = [(re.compile("^" + re.sub(r"\{[A-Za-z]+\}", "[^/]+", template) + "$"), template) for template in VENDORED["answers"]]
validated, problems = 0, []
for url, status, text in answers:
    path = re.sub(r"^https?://[^/]+", "", url).split("?")[0]
    template = next((template for pattern, template in templates if pattern.match(path)), None)
    if template is None or status != 200:
        continue
    entry = VENDORED["answers"][template]
    schema = dict(entry["schema"], **{"$defs": VENDORED["$defs"]})
    answer = json.loads(text)
    for error in jsonschema.Draft202012Validator(schema).iter_errors(answer):
        problems.append(f"{path}: {error.message}")
    if "$ref" in entry["schema"]:
        problems.extend(f"{path}: `{key}` missing" for key in entry["x-properties"] if key not in answer)
    validated += 1
check(f"{validated} TaskRouter and Configuration answers match twilio-oai", lambda: (validated >= 12 and not problems) or problems[:5] or validated)

print(f"python twilio: {passed} passed, {len(failures)} failed")
sys.exit(0 if not failures else 1)
