#!/usr/bin/env bash
# Installs a released flex-alerts: downloads the archive for this OS and architecture, checks
# it against the release's SHA256SUMS, unpacks it and puts `flex-alerts` on PATH. The GitHub
# Action (action.yml) runs it; so can any CI job or machine:
#
#   FLEX_ALERTS_VERSION=0.1.0 bash scripts/install.sh
#
# FLEX_ALERTS_VERSION   the version to install (required; `v0.1.0` works too)
# FLEX_ALERTS_RELEASES  where releases are, default https://github.com/$FLEX_ALERTS_REPOSITORY/releases/download
#                       (each release at $FLEX_ALERTS_RELEASES/vVERSION/)
# FLEX_ALERTS_REPOSITORY  OWNER/NAME of the repository, for the default above
# FLEX_ALERTS_INSTALL_DIR where to unpack, default ~/.flex-alerts/VERSION; an install there
#                       already (a CI cache) is used as it is
# With GITHUB_PATH set (GitHub Actions) the directory is added to it; else it is printed.
set -euo pipefail

fail() {
  echo "error: $*" >&2
  exit 1
}

version="${FLEX_ALERTS_VERSION:-}"
version="${version#v}"
[ -n "$version" ] || fail "FLEX_ALERTS_VERSION is not set: say which flex-alerts to install, e.g. 0.1.0"
case "$version" in
  *[!0-9A-Za-z.+-]*) fail "'$version' is not a version (write e.g. 0.1.0)" ;;
esac

os="$(uname -s)"
arch="$(uname -m)"
case "$arch" in
  x86_64 | amd64) arch=x86_64 ;;
  aarch64 | arm64) arch=aarch64 ;;
esac
case "$os/$arch" in
  Linux/x86_64 | Linux/aarch64) target="$arch-unknown-linux-musl" ext=tar.gz ;;
  Darwin/x86_64 | Darwin/aarch64) target="$arch-apple-darwin" ext=tar.gz ;;
  MINGW*/x86_64 | MSYS*/x86_64 | CYGWIN*/x86_64 | Windows_NT/x86_64) target="x86_64-pc-windows-msvc" ext=zip ;;
  *) fail "unsupported runner: $os $arch (flex-alerts is released for Linux and macOS on x86_64 and aarch64, and Windows on x86_64)" ;;
esac

if [ -n "${FLEX_ALERTS_RELEASES:-}" ]; then
  releases="${FLEX_ALERTS_RELEASES%/}"
else
  [ -n "${FLEX_ALERTS_REPOSITORY:-}" ] || fail "set FLEX_ALERTS_REPOSITORY (OWNER/NAME) or FLEX_ALERTS_RELEASES"
  releases="https://github.com/$FLEX_ALERTS_REPOSITORY/releases/download"
fi
name="flex-alerts-$version-$target"
archive="$name.$ext"
install_dir="${FLEX_ALERTS_INSTALL_DIR:-$HOME/.flex-alerts/$version}"
binary="$install_dir/$name/flex-alerts"
[ "$ext" = zip ] && binary="$binary.exe"

if [ ! -x "$binary" ]; then
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  fetch() { # URL FILE: fails on any HTTP error; says which URL
    curl --fail --silent --show-error --location --retry 3 --max-time 120 --output "$2" "$1" 2>"$scratch/curl.err" || {
      if grep -q 'error: 404' "$scratch/curl.err"; then
        fail "flex-alerts $version is not released for $target: $1 was not found"
      fi
      fail "cannot download $1: $(tr -d '\r' <"$scratch/curl.err" | tail -n 1)"
    }
  }
  fetch "$releases/v$version/SHA256SUMS" "$scratch/SHA256SUMS"
  fetch "$releases/v$version/$archive" "$scratch/$archive"
  expected="$(awk -v file="$archive" '$2 == file || $2 == "*" file { print $1 }' "$scratch/SHA256SUMS")"
  [ -n "$expected" ] || fail "SHA256SUMS of flex-alerts $version names no $archive"
  if command -v sha256sum >/dev/null; then
    actual="$(sha256sum "$scratch/$archive" | awk '{ print $1 }')"
  else
    actual="$(shasum -a 256 "$scratch/$archive" | awk '{ print $1 }')"
  fi
  [ "$actual" = "$expected" ] ||
    fail "checksum mismatch for $archive: SHA256SUMS says $expected, the download is $actual; nothing was installed"
  mkdir -p "$install_dir"
  if [ "$ext" = zip ]; then
    unzip -q -o "$scratch/$archive" -d "$install_dir"
  else
    tar -xzf "$scratch/$archive" -C "$install_dir"
  fi
fi

"$binary" --version >/dev/null || fail "the installed $binary does not run here"
if [ -n "${GITHUB_PATH:-}" ]; then
  echo "$install_dir/$name" >>"$GITHUB_PATH"
fi
echo "Installed $("$binary" --version) in $install_dir/$name" >&2
echo "$install_dir/$name"
