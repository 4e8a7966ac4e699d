#!/usr/bin/env bash
# Start the web process and the background worker together; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${1:-127.0.0.1}
PORT=${2:-8000}
BIN=.venv/bin
$BIN/python manage.py collectstatic --noinput -v0
# Sync workers, one per core plus one (as benchmarks 4 and 6 run it): threads in one process
# meet on the GIL and on SQLite's busy handler (docs/BENCHMARKS.md, benchmark 6).
$BIN/gunicorn egis.wsgi:application --bind "$HOST:$PORT" --workers "$(( $(nproc) + 1 ))" \
  --access-logfile - --log-level warning &
WEB=$!
# The demo's signal source posts to this web process like any outside sender.
EGIS_DEMO_SIGNALS_URL=${EGIS_DEMO_SIGNALS_URL-http://$HOST:$PORT} \
  $BIN/python manage.py run_huey --workers 4 -k thread &
WORKER=$!
trap 'kill $WEB $WORKER 2>/dev/null; wait $WEB $WORKER 2>/dev/null; exit 0' INT TERM
echo
echo "Egis is running at http://$HOST:$PORT/"
echo "  admin:  admin  / egis-admin-demo"
echo "  user:   trader / egis-trader-demo"
echo "Ctrl-C stops the web process and the worker."
wait -n $WEB $WORKER
kill $WEB $WORKER 2>/dev/null || true
