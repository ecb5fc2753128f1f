//! `flex-alerts test`: rule test files that pass, one that fails and says where, JUnit XML a
//! CI can read, problems in test files at their `FILE:LINE:COLUMN`, and test files kept apart
//! from alert files.

use std::path::Path;
use std::process::Command;

use crate::support::{WEBHOOK, cli, root};

/// A directory with the example alert files and `tests` as `rules.test.yaml`.
fn project(tests: &str) -> tempfile::TempDir {
    let directory = tempfile::tempdir().unwrap();
    for name in [
        "voice.yaml",
        "agents.yaml",
        "messaging.yaml",
        "settings.yaml",
    ] {
        std::fs::copy(
            root().join("examples").join(name),
            directory.path().join(name),
        )
        .unwrap();
    }
    std::fs::write(directory.path().join("rules.test.yaml"), tests).unwrap();
    directory
}

fn test_in(directory: &Path, extra: &[&str]) -> (Option<i32>, String, String) {
    let output = cli()
        .current_dir(directory)
        .arg("test")
        .args(extra)
        .env_remove("SLACK_SUPPORT_WEBHOOK")
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

const ONE_WRONG: &str = "version: 1
tests:
  - name: Billing warns
    series:
      - { metric: Waiting (Now), queue: Billing, channel: voice, values: \"2 6x3 2\" }
    expect:
      - { at: 1m, alert: Billing voice - callers waiting, queue: Billing, level: warning }
  - name: Billing escalates
    series:
      - { metric: Waiting (Now), queue: Billing, channel: voice, values: \"2 6 13 2\" }
    expect:
      - { at: 2m, alert: Billing voice - callers waiting, queue: Billing, level: warning }
    notifications:
      - { at: 1m, alert: Billing voice - callers waiting, queue: Billing, state: warning }
      - { at: 3m, alert: Billing voice - callers waiting, queue: Billing, state: resolved }
";

#[test]
fn the_example_tests_pass_without_secrets() {
    let (code, stdout, stderr) = test_in(&root().join("examples"), &[]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(
        stdout,
        "ok      Support wait pages only when it lasts\n\
         ok      Billing callers warn at once and escalate\n\
         ok      Few agents available on Support is critical below 2\n\
         \n3 passed, 0 failed\n"
    );
}

#[test]
fn a_wrong_expectation_fails_its_test_by_name_with_both_sides() {
    let project = project(ONE_WRONG);
    let (code, stdout, _) = test_in(project.path(), &[]);
    assert_eq!(code, Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "ok      Billing warns");
    assert_eq!(
        lines[1],
        "FAILED  Billing escalates  (./rules.test.yaml:8:11)"
    );
    assert!(
        stdout.contains(
            "level at 2m  Billing voice - callers waiting / Billing  expected warning   actual critical"
        ),
        "{stdout}"
    );
    // The critical notification at 2m was not expected: marked, with nothing on the left.
    let unexpected = lines
        .iter()
        .find(|line| line.contains("2m     critical"))
        .unwrap();
    assert!(unexpected.trim_start().starts_with("! "), "{stdout}");
    assert!(unexpected.contains("-   "), "{stdout}");
    assert!(stdout.ends_with("1 passed, 1 failed\n"), "{stdout}");
}

#[test]
fn junit_output_is_xml_a_ci_can_read() {
    let project = project(ONE_WRONG);
    let (code, stdout, _) = test_in(project.path(), &["--format", "junit"]);
    assert_eq!(code, Some(1));
    let parse = "import sys, xml.etree.ElementTree as ET\n\
        root = ET.fromstring(sys.stdin.read())\n\
        cases = root.findall('.//testcase')\n\
        print(root.get('tests'), root.get('failures'), len(cases), \
              [c.get('name') for c in cases if c.find('failure') is not None], \
              'actual critical' in ''.join(c.find('failure').text for c in cases if c.find('failure') is not None))";
    let mut child = Command::new("python3")
        .args(["-c", parse])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs (CI machines have it)");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdout.as_bytes())
        .unwrap();
    let parsed = child.wait_with_output().unwrap();
    assert!(parsed.status.success(), "{stdout}");
    assert_eq!(
        String::from_utf8(parsed.stdout).unwrap().trim(),
        "2 1 2 ['Billing escalates'] True"
    );
}

#[test]
fn problems_in_a_test_file_are_reported_at_their_place_and_no_test_runs() {
    let project = project(
        "version: 1
tests:
  - name: Broken
    series:
      - { metric: Waiting (Now), queue: Billing, channel: voice, values: \"2 6x 13 q\" }
    expect:
      - { at: 9m, alert: Billing voice - callers waitng, queue: Billing, level: warning }
      - { at: 1m, alert: Billing voice - callers waiting, queue: Bling, level: warning }
      - { at: 1m, alert: Support chat - waiting conversations, queue: Support, level: ok }
",
    );
    let (code, stdout, stderr) = test_in(project.path(), &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stdout, "", "no test runs");
    for (place, message) in [
        ("rules.test.yaml:5:77", "`6x` is not a value"),
        ("rules.test.yaml:5:83", "`q` is not a value"),
        (
            "rules.test.yaml:7:15",
            "`at: 9m` is past the series, which end at 3m",
        ),
        (
            "rules.test.yaml:7:26",
            "no alert is named `Billing voice - callers waitng`",
        ),
        (
            "rules.test.yaml:8:66",
            "alert `Billing voice - callers waiting` does not watch queue `Bling`",
        ),
        (
            "rules.test.yaml:9:71",
            "no series feeds alert `Support chat - waiting conversations` on queue `Support`",
        ),
    ] {
        let at = stderr
            .find(message)
            .unwrap_or_else(|| panic!("{message}:\n{stderr}"));
        assert!(
            stderr[at..]
                .lines()
                .nth(1)
                .is_some_and(|line| line.ends_with(place)),
            "{place} {message}:\n{stderr}"
        );
    }
    assert!(
        stderr.contains("did you mean `Billing voice - callers waiting`?"),
        "{stderr}"
    );
    assert!(
        stderr.contains("add `{ metric: Waiting (Now), queue: Support, channel: chat, values: ... }` to `series`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: 6 errors; no test was run"),
        "{stderr}"
    );

    // The shape is checked first, as for alert files.
    std::fs::write(
        project.path().join("rules.test.yaml"),
        "version: 1\ntests:\n  - name: Short\n    series:\n      - { metric: Waiting (Now), queue: Support }\n",
    )
    .unwrap();
    let (code, _, stderr) = test_in(project.path(), &[]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("error: missing required key `values` in item 1 of `series`")
            && stderr.contains("--> ./rules.test.yaml:5:9"),
        "{stderr}"
    );
}

#[test]
fn test_files_are_never_read_as_alert_files_and_validate_checks_them() {
    let project = project(ONE_WRONG);
    let sandbox = project.path().join("sandbox.json");
    let plan = cli()
        .current_dir(project.path())
        .arg("plan")
        .arg("--store")
        .arg(format!("local:{}", sandbox.display()))
        .env("SLACK_SUPPORT_WEBHOOK", WEBHOOK)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&plan.stderr);
    assert!(plan.status.success(), "{stderr}");
    assert!(!stderr.contains("rules.test.yaml"), "{stderr}");

    std::fs::write(
        project.path().join("rules.test.yaml"),
        ONE_WRONG.replace(
            "queue: Billing, level: warning }\n  - name: Billing escalates",
            "queue: Billng, level: warning }\n  - name: Billing escalates",
        ),
    )
    .unwrap();
    let validate = cli()
        .current_dir(project.path())
        .arg("validate")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&validate.stderr);
    assert_eq!(validate.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("alert `Billing voice - callers waiting` does not watch queue `Billng`")
            && stderr.contains("--> ./rules.test.yaml:7:66"),
        "{stderr}"
    );
}

#[test]
fn committed_test_schema_is_what_the_code_generates() {
    let committed =
        std::fs::read_to_string(root().join("schemas/flex-alerts-test.schema.json")).unwrap();
    let printed = cli().args(["schema", "test"]).output().unwrap();
    assert!(printed.status.success());
    assert_eq!(String::from_utf8(printed.stdout).unwrap(), committed);
}

#[test]
fn a_missing_sample_keeps_the_previous_value_holding() {
    // `_` repeats nothing and changes nothing: 13 (critical) holds through the gap.
    let project = project(
        "version: 1
interval: 30s
tests:
  - name: The gap keeps Billing critical
    series:
      - { metric: Waiting (Now), queue: Billing, channel: voice, values: \"2 13 _x4 3\" }
    expect:
      - { at: 30s, alert: Billing voice - callers waiting, queue: Billing, level: critical }
      - { at: 2m30s, alert: Billing voice - callers waiting, queue: Billing, level: critical }
      - { at: 3m, alert: Billing voice - callers waiting, queue: Billing, level: ok }
    notifications:
      - { at: 30s, alert: Billing voice - callers waiting, queue: Billing, state: critical }
      - { at: 3m, alert: Billing voice - callers waiting, queue: Billing, state: resolved }
",
    );
    let (code, stdout, stderr) = test_in(project.path(), &[]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.starts_with("ok      The gap keeps Billing critical\n"),
        "{stdout}"
    );
}
