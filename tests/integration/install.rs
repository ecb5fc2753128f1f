//! The release install path, as the GitHub Action runs it: `scripts/package` packs a binary
//! built from this checkout, a stand-in release server on 127.0.0.1 serves it with its
//! SHA256SUMS, and `scripts/install.sh` installs it, refuses an altered archive naming the
//! checksum, and names a version that was never released or a runner it has no build for.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::root;

/// The version Cargo.toml names (cargo passes it to the tests): the one releases carry.
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Serves the files under `directory` (404 for anything else) until the test ends.
async fn serve(directory: PathBuf) -> String {
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let path = directory.join(uri.path().trim_start_matches('/'));
        async move {
            match std::fs::read(&path) {
                Ok(bytes) => (axum::http::StatusCode::OK, bytes),
                Err(_) => (axum::http::StatusCode::NOT_FOUND, b"Not Found".to_vec()),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// A release directory `vVERSION/` with the debug binary packed for this machine's target.
fn release(directory: &Path) -> PathBuf {
    let release = directory.join(format!("v{VERSION}"));
    let packed = Command::new("python3")
        .arg(root().join("scripts/package"))
        .arg(format!("{}-unknown-linux-musl", std::env::consts::ARCH))
        .arg("--binary")
        .arg(assert_cmd::cargo::cargo_bin("flex-alerts"))
        .arg("--out")
        .arg(&release)
        .output()
        .unwrap();
    assert!(
        packed.status.success(),
        "{}",
        String::from_utf8_lossy(&packed.stderr)
    );
    let archive = PathBuf::from(String::from_utf8(packed.stdout).unwrap().trim());
    let line = std::fs::read_to_string(release.join(format!(
        "{}.sha256",
        archive.file_name().unwrap().to_str().unwrap()
    )))
    .unwrap();
    std::fs::write(release.join("SHA256SUMS"), line).unwrap();
    archive
}

struct Installed {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

async fn install(releases: &str, version: &str, into: &Path, path: Option<&Path>) -> Installed {
    let mut command = Command::new("bash");
    command
        .arg(root().join("scripts/install.sh"))
        .env("FLEX_ALERTS_VERSION", version)
        .env("FLEX_ALERTS_RELEASES", releases)
        .env("FLEX_ALERTS_INSTALL_DIR", into)
        .env("GITHUB_PATH", into.with_extension("path"));
    if let Some(path) = path {
        command.env("PATH", path);
    }
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    Installed {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_install_script_installs_a_release_and_refuses_what_does_not_check_out() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let served = tempfile::tempdir().unwrap();
    let archive = release(served.path());
    let releases = serve(served.path().to_owned()).await;
    let scratch = tempfile::tempdir().unwrap();

    // A good archive: installed, on GITHUB_PATH, and it runs from a fresh directory.
    let into = scratch.path().join("good");
    let good = install(&releases, VERSION, &into, None).await;
    assert_eq!(good.code, Some(0), "{}", good.stderr);
    let directory = PathBuf::from(good.stdout.trim());
    assert_eq!(
        std::fs::read_to_string(into.with_extension("path"))
            .unwrap()
            .trim(),
        directory.to_str().unwrap()
    );
    let fresh = tempfile::tempdir().unwrap();
    let ran = Command::new(directory.join("flex-alerts"))
        .arg("--version")
        .current_dir(fresh.path())
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&ran.stdout).starts_with(&format!("flex-alerts {VERSION}")),
        "{ran:?}"
    );
    for packed in [
        "man/flex-alerts-plan.1",
        "complete/flex-alerts.bash",
        "LICENSE",
    ] {
        assert!(directory.join(packed).is_file(), "{packed}");
    }

    // The same archive altered by one byte: refused, naming the checksum; nothing installed.
    let mut bytes = std::fs::read(&archive).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&archive, bytes).unwrap();
    let into = scratch.path().join("altered");
    let altered = install(&releases, VERSION, &into, None).await;
    assert_eq!(altered.code, Some(1), "{}", altered.stderr);
    let name = archive.file_name().unwrap().to_str().unwrap();
    assert!(
        altered
            .stderr
            .contains(&format!("error: checksum mismatch for {name}")),
        "{}",
        altered.stderr
    );
    assert!(!into.exists(), "an altered archive was unpacked");

    // A version never released: named.
    let missing = install(&releases, "9.9.9", &scratch.path().join("missing"), None).await;
    assert_eq!(missing.code, Some(1));
    assert!(
        missing
            .stderr
            .contains("error: flex-alerts 9.9.9 is not released for"),
        "{}",
        missing.stderr
    );

    // A runner there is no build for: named, before anything is downloaded.
    let fake = tempfile::tempdir().unwrap();
    let uname = fake.path().join("uname");
    std::fs::write(
        &uname,
        "#!/bin/sh\ncase \"$1\" in -s) echo SunOS;; -m) echo sparc64;; esac\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&uname, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        fake.path().display(),
        std::env::var("PATH").unwrap()
    );
    let unsupported = install(
        &releases,
        VERSION,
        &scratch.path().join("unsupported"),
        Some(Path::new(&path)),
    )
    .await;
    assert_eq!(unsupported.code, Some(1));
    assert!(
        unsupported
            .stderr
            .contains("error: unsupported runner: SunOS sparc64"),
        "{}",
        unsupported.stderr
    );
}
