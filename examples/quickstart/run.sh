#!/usr/bin/env bash
# The quickstart: the SDK and the `flow` command against the embedded local platform.
# No account, no server: `flow local init` creates the platform in a SQLite file.
# State goes to .quickstart/ (set FLOW_CONFIG_DIR / FLOW_DATA_DIR to keep it elsewhere).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
state="${QUICKSTART_DIR:-$root/.quickstart}"
rm -rf "$state"
export FLOW_CONFIG_DIR="${FLOW_CONFIG_DIR:-$state/config}"
export FLOW_DATA_DIR="${FLOW_DATA_DIR:-$state/data}"
export FLOW_OUTPUT=table
started=$(date +%s.%N)

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step flow local init
step flow auth status
step flow orgs list
step flow workspaces list
step python "$here/quickstart.py" "$state/ids.env"
# shellcheck disable=SC1091
source "$state/ids.env"
step flow api GET "/api/v1/orgs/$ORG_ID/workspaces/$WORKSPACE_ID/components/agent/$AGENT_ID"

elapsed=$(python -c "import time,sys; print(f'{time.time()-float(sys.argv[1]):.1f}')" "$started")
printf '\nquickstart finished in %ss. To keep using this platform:\n' "$elapsed"
printf '  export FLOW_CONFIG_DIR=%s FLOW_DATA_DIR=%s\n' "$FLOW_CONFIG_DIR" "$FLOW_DATA_DIR"
printf 'and to look at what it made in the web console:\n  flow local serve --console\n'
