#!/usr/bin/env python3
"""Checks the committed JSON Schemas with an independent validator (Python `jsonschema`).

Every alert file in examples/ must be valid against the alert schema and every rule test file
(`*.test.yaml`) against the test schema; a few bad inputs the schema alone must catch must be
invalid, so this check can fail. Exit status 1 on any surprise.
"""
import json
import pathlib
import sys

import jsonschema
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "schemas" / "flex-alerts.schema.json").read_text())
# Bad inputs whose problem is a pure schema matter (not a cross-field rule).
MUST_FAIL = [
    "unknown_metric.yaml",
    "too_many_queues.yaml",
    "above_and_below.yaml",
    "empty_threshold.yaml",
    "unknown_alert_key.yaml",
    "after_bad_unit.yaml",
    "bad_queue_sid.yaml",
    "above_negative.yaml",
    "duplicate_queue.yaml",
    "too_many_emails.yaml",
]

validator_class = jsonschema.validators.validator_for(SCHEMA)
validator_class.check_schema(SCHEMA)
# The JSON plan's schema must be a valid schema too (plans are checked against it in the tests).
PLAN = json.loads((ROOT / "schemas" / "plan.schema.json").read_text())
jsonschema.validators.validator_for(PLAN).check_schema(PLAN)
for extra in ("flex-alerts-project", "flex-alerts-overlay"):
    EXTRA = json.loads((ROOT / "schemas" / f"{extra}.schema.json").read_text())
    jsonschema.validators.validator_for(EXTRA).check_schema(EXTRA)
TEST = json.loads((ROOT / "schemas" / "flex-alerts-test.schema.json").read_text())
jsonschema.validators.validator_for(TEST).check_schema(TEST)
test_validator = jsonschema.validators.validator_for(TEST)(TEST)
validator = validator_class(SCHEMA)
failures = 0

examples = sorted((ROOT / "examples").glob("*.yaml"))
if not examples:
    print("no examples found")
    failures += 1
for path in examples:
    document = yaml.safe_load(path.read_text())
    checker = test_validator if path.name.endswith(".test.yaml") else validator
    errors = list(checker.iter_errors(document))
    for error in errors:
        print(f"{path.relative_to(ROOT)}: {error.json_path}: {error.message}")
    failures += bool(errors)
    print(f"{'ok  ' if not errors else 'FAIL'} {path.relative_to(ROOT)} is valid")

for name in MUST_FAIL:
    path = ROOT / "tests" / "bad" / name
    document = yaml.safe_load(path.read_text())
    valid = validator.is_valid(document)
    failures += valid
    print(f"{'FAIL' if valid else 'ok  '} tests/bad/{name} is rejected")

# A test file is no alert file: the alert schema refuses it (so the two cannot be confused).
tests_as_alerts = [p for p in examples if p.name.endswith(".test.yaml") and validator.is_valid(yaml.safe_load(p.read_text()))]
failures += len(tests_as_alerts)
print(f"{'FAIL' if tests_as_alerts else 'ok  '} test files are refused by the alert schema")

print(f"{len(examples) + len(MUST_FAIL) + 1 - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
