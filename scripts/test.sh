#!/usr/bin/env bash
# The whole suite: SQLite always; browser tests when Chromium is there; PostgreSQL
# when CAMPUS_TEST_POSTGRES_URL is set. CI sets CAMPUS_REQUIRE_POSTGRES=1 and
# CAMPUS_REQUIRE_BROWSER=1 so that nothing silently skips there.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
status=0
skipped=()

chromium="${CAMPUS_CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$chromium" ]]; then
  if [[ "${CAMPUS_REQUIRE_BROWSER:-0}" == "1" ]]; then
    echo "ERREUR : CAMPUS_REQUIRE_BROWSER=1 mais Chromium est introuvable ($chromium)." >&2
    exit 1
  fi
  skipped+=("Tests navigateur (Playwright + axe-core) : Chromium absent. Pour les activer : apt-get install chromium (ou CAMPUS_CHROMIUM=/chemin/vers/chromium).")
fi

echo "=== Suite complète sur SQLite (avec la couverture du code) ==="
unset DATABASE_URL
$bin/pytest --cov --cov-report=term:skip-covered "$@" || status=$?

if [[ -n "${CAMPUS_TEST_POSTGRES_URL:-}" ]]; then
  echo
  echo "=== Suite complète sur PostgreSQL ==="
  # The browser journeys do not depend on the database engine: run once, on SQLite.
  DATABASE_URL="$CAMPUS_TEST_POSTGRES_URL" $bin/pytest -m "not browser" "$@" || status=$?
else
  if [[ "${CAMPUS_REQUIRE_POSTGRES:-0}" == "1" ]]; then
    echo "ERREUR : CAMPUS_REQUIRE_POSTGRES=1 mais CAMPUS_TEST_POSTGRES_URL n'est pas défini." >&2
    exit 1
  fi
  skipped+=("Suite PostgreSQL : CAMPUS_TEST_POSTGRES_URL non défini. Pour l'activer : CAMPUS_TEST_POSTGRES_URL=postgres://campus:campus@127.0.0.1:5432/campus make test (le rôle doit pouvoir créer une base : CREATEDB).")
fi

if (( ${#skipped[@]} )); then
  echo
  echo "=== Non exécuté sur cette machine ==="
  for line in "${skipped[@]}"; do echo "- $line"; done
fi
exit $status
