#!/usr/bin/env python3
"""Extracts from twilio-oai the schemas of what flex-alerts reads, as JSON Schema 2020-12.

Usage: python3 extract.py TWILIO_OAI_CHECKOUT > schemas.json

For each resource the tool (and the emulator) serves, the 200 answer of its path in
spec/json/twilio_taskrouter_v1.json and spec/json/twilio_flex_v1.json, with every `$ref` it
reaches; OpenAPI's `nullable: true` becomes a `null` in `type`, and `x-twilio` notes are
dropped. The answer's properties are also listed under `x-properties`, so a test can check
that every one is there (OpenAPI marks none required).
"""
import json
import subprocess
import sys

checkout = sys.argv[1]
commit = subprocess.run(["git", "-C", checkout, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()


def spec(name):
    return json.loads(subprocess.run(["git", "-C", checkout, "show", f"HEAD:spec/json/{name}"], capture_output=True, text=True, check=True).stdout)


PATHS = {
    "twilio_taskrouter_v1.json": [
        "/v1/Workspaces/{Sid}",
        "/v1/Workspaces/{WorkspaceSid}/TaskQueues",
        "/v1/Workspaces/{WorkspaceSid}/TaskQueues/{Sid}",
        "/v1/Workspaces/{WorkspaceSid}/TaskQueues/{TaskQueueSid}/Statistics",
        "/v1/Workspaces/{WorkspaceSid}/TaskQueues/{TaskQueueSid}/RealTimeStatistics",
        "/v1/Workspaces/{WorkspaceSid}/TaskQueues/{TaskQueueSid}/CumulativeStatistics",
        "/v1/Workspaces/{WorkspaceSid}/TaskChannels",
        "/v1/Workspaces/{WorkspaceSid}/TaskChannels/{Sid}",
        "/v1/Workspaces/{WorkspaceSid}/Activities",
        "/v1/Workspaces/{WorkspaceSid}/Activities/{Sid}",
        "/v1/Workspaces/{WorkspaceSid}/Workers",
        "/v1/Workspaces/{WorkspaceSid}/Workers/{Sid}",
    ],
    "twilio_flex_v1.json": ["/v1/Configuration"],
}


def convert(node):
    if isinstance(node, list):
        return [convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key.startswith("x-"):
            continue
        if key == "$ref":
            out["$ref"] = "#/$defs/" + value.rsplit("/", 1)[1]
            continue
        out[key] = convert(value)
    if out.pop("nullable", False):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        elif "$ref" in out:
            out = {"anyOf": [{"$ref": out.pop("$ref")}, {"type": "null"}], **out}
    return out


def refs(node, found):
    if isinstance(node, dict):
        if "$ref" in node:
            found.add(node["$ref"].rsplit("/", 1)[1])
        for value in node.values():
            refs(value, found)
    elif isinstance(node, list):
        for value in node:
            refs(value, found)


answers = {}
defs = {}
for name, paths in PATHS.items():
    document = spec(name)
    schemas = document["components"]["schemas"]
    for path in paths:
        answer = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        answers[path] = answer
        pending = set()
        refs(answer, pending)
        while pending:
            ref = pending.pop()
            if ref in defs:
                continue
            defs[ref] = schemas[ref]
            refs(schemas[ref], pending)

out = {
    "source": "https://github.com/twilio/twilio-oai",
    "commit": commit,
    "licence": "MIT (LICENSE beside this file)",
    "answers": {},
    "$defs": {name: convert(schema) for name, schema in sorted(defs.items())},
}
for path, answer in answers.items():
    schema = convert(answer)
    target = schema
    if "$ref" in schema:
        target = out["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    out["answers"][path] = {"schema": schema, "x-properties": sorted(target.get("properties", {}))}
json.dump(out, sys.stdout, indent=1, sort_keys=False)
sys.stdout.write("\n")
