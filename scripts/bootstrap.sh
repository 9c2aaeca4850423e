#!/usr/bin/env bash
# Installs everything the app and its tests need, and nothing twice:
#   1. the Debian libraries WeasyPrint needs, fonts, poppler-utils (pdftoppm, pdffonts) and
#      Chromium for the browser tests -- only the packages `dpkg -s` reports missing;
#   2. a Python 3.11 virtualenv in .venv;
#   3. the project with its dev extras (`pip install -e .[dev]`) -- skipped while the hash of
#      pyproject.toml matches the one stored in .venv after the last successful install.
# Safe to run concurrently (make demo and make test at once): a lock serialises the runs.
# Environment: PYTHON (interpreter to build .venv with), SKIP_APT=1 (skip Debian packages).
set -euo pipefail

cd "$(dirname "$0")/.."

APT_PACKAGES=(
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
    fonts-dejavu-core fonts-liberation2
    poppler-utils
    chromium chromium-driver
)
VENV=.venv
STAMP="$VENV/.bootstrap-pyproject.sha256"

log() { printf 'bootstrap: %s\n' "$*" >&2; }

install_debian_packages() {
    if [[ "${SKIP_APT:-0}" == "1" ]]; then
        log "SKIP_APT=1: not checking Debian packages"
        return
    fi
    if ! command -v dpkg >/dev/null 2>&1; then
        log "no dpkg (not Debian/Ubuntu): install Pango, HarfBuzz, poppler-utils and Chromium yourself"
        return
    fi
    local missing=() pkg
    for pkg in "${APT_PACKAGES[@]}"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        return
    fi
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            log "missing Debian packages: ${missing[*]}"
            log "not root and no sudo: run 'apt-get install -y ${missing[*]}' as root, then retry"
            exit 1
        fi
    fi
    log "installing Debian packages: ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3.12 python3; do
        [[ -n "$candidate" ]] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] < (3, 13)))'; then
            echo "$candidate"
            return
        fi
    done
    log "need Python 3.11 or 3.12 (set PYTHON=/path/to/python3.11)"
    exit 1
}

install_python_packages() {
    if [[ ! -x "$VENV/bin/python" ]]; then
        local python
        python=$(find_python)
        log "creating $VENV with $($python --version)"
        "$python" -m venv "$VENV"
    fi
    local want
    want=$(cat pyproject.toml <("$VENV/bin/python" --version) | sha256sum | cut -d' ' -f1)
    if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
        return
    fi
    log "installing Python packages (pip install -e .[dev])"
    # (The filter drops pip's notes about configured local package indexes that do not exist.)
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]' \
        2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
    echo "$want" >"$STAMP"
}

main() {
    mkdir -p var
    exec 9>var/.bootstrap.lock
    if command -v flock >/dev/null 2>&1; then
        flock 9
    fi
    install_debian_packages
    install_python_packages
}

main "$@"
