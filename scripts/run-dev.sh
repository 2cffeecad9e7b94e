#!/usr/bin/env bash
# Serve the demo school: the background worker (mail) and the development server.
set -euo pipefail
cd "$(dirname "$0")/.."
host="${1:-127.0.0.1}"
port="${2:-8000}"
bin=.venv/bin

echo "Les courriels envoyés sont écrits dans var/mail/ (aucun serveur SMTP nécessaire)."
echo "Campus : http://$host:$port/"
echo

$bin/python manage.py db_worker --interval 1 >var/worker.log 2>&1 &
worker=$!
# Reminders, expired offers and digests, as the systemd timer does in production.
( while true; do $bin/python manage.py notifications_tick >>var/tick.log 2>&1; sleep 300; done ) &
tick=$!
trap 'kill $worker $tick 2>/dev/null || true' EXIT INT TERM
$bin/python manage.py runserver "$host:$port"
