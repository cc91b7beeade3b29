#!/usr/bin/env bash
# n8n.sh CACHE ARGS...   e.g.  N8N_USER_FOLDER=$tmp n8n.sh target/consumers import:credentials --input=creds.json
#
# Runs the n8n installed by consumers-setup.sh CACHE with Node 24 first on PATH,
# offline and quiet.  The caller must set N8N_USER_FOLDER (n8n keeps
# $N8N_USER_FOLDER/.n8n/{config,database.sqlite} there).  N8N_ENCRYPTION_KEY
# defaults to a fixed test key; a user folder remembers the key it was first
# used with, and a different key later fails ("Mismatching encryption keys").
# N8N_LOG_LEVEL defaults to error: a success prints nothing, a failure prints
# its message and exits 1.  All n8n logging goes to STDOUT (not stderr); use
# N8N_LOG_LEVEL=info to see "Successfully imported/exported N credential(s)".
# Always export with --output=FILE: without it the JSON is written through the
# logger (so it vanishes below info level and is mixed with log lines).
set -euo pipefail
if [[ $# -lt 1 ]]; then
  echo "usage: N8N_USER_FOLDER=DIR $0 CACHE ARGS..." >&2
  exit 2
fi
CACHE=$(cd "$1" && pwd)
shift
: "${N8N_USER_FOLDER:?set N8N_USER_FOLDER to a (temporary) directory}"
[[ -x $CACHE/node24/bin/node && -f $CACHE/npm/node_modules/n8n/bin/n8n ]] \
  || { echo "n8n.sh: run consumers-setup.sh $CACHE first" >&2; exit 2; }
mkdir -p "$N8N_USER_FOLDER"

export PATH="$CACHE/node24/bin:$PATH"
export N8N_USER_FOLDER
export N8N_ENCRYPTION_KEY=${N8N_ENCRYPTION_KEY:-consumers-test-encryption-key}
export N8N_LOG_LEVEL=${N8N_LOG_LEVEL:-error}
export DB_TYPE=sqlite
export N8N_DIAGNOSTICS_ENABLED=false
export N8N_RUNNERS_ENABLED=false
export N8N_VERSION_NOTIFICATIONS_ENABLED=false
export N8N_TEMPLATES_ENABLED=false
export N8N_PERSONALIZATION_ENABLED=false
export N8N_HIRING_BANNER_ENABLED=false
export N8N_DYNAMIC_BANNERS_ENABLED=false
export N8N_LICENSE_AUTO_RENEW_ENABLED=false
export N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS=true
export N8N_NO_COLOR=1 NO_COLOR=1
unset NODE_OPTIONS
exec "$CACHE/node24/bin/node" "$CACHE/npm/node_modules/n8n/bin/n8n" "$@"
