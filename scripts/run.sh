#!/usr/bin/env bash
# Starts the task worker and the web server; stopping (Ctrl+C, SIGTERM) ends both.
set -euo pipefail
host="$1"; port="$2"
cat <<MSG

  Tingjian is starting.
    Site:   http://${host}:${port}/
    Admin:  http://${host}:${port}/admin/
    Demo logins (development only; password for all: tingjian-demo):
      admin        site administrator
      editor       editor, 市生态环境局
      approver     approver, 市生态环境局
      editor2      editor, 市自然资源和规划局
      approver2    approver, 市自然资源和规划局
      analyst      analyst, 市生态环境局
      intake       intake clerk (offline opinions), 市生态环境局
      privacy      privacy officer (reads contact details, logged)
      assessor     stability-risk assessor (aggregates only)
    Second factor: after the password the admin asks for a 6-digit code. In development
    print it with:  make otp USER=editor   (any demo account; each code works once)
  Stop with Ctrl+C.

MSG
# Development settings, said explicitly (manage.py has no default: a worker or cron job started
# without DJANGO_SETTINGS_MODULE must never fall into DEBUG silently).
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-cms.config.settings.dev}"

# The worker and the web server each run in a process group of their own (setsid), recorded in
# $pids_file. Every exit (Ctrl+C, SIGTERM, the web server's end, kill -9 of any of them) ends
# both groups with their autoreloader children; a run killed with kill -9 as a whole leaves its
# groups recorded, and the next start ends them first, so the port and the database are free.
run_dir="${TINGJIAN_RUN_DIR:-.run}"
mkdir -p "$run_dir"
pids_file="$run_dir/processes-${port}"

group_alive() { # a process group that still has a manage.py process
  ps -e -o pgid=,args= | awk -v g="$1" '$1 == g && /manage\.py/ {found = 1} END {exit !found}'
}
stop_group() { # TERM, then KILL after 5 s
  group_alive "$1" || return 0
  kill -TERM -- "-$1" 2>/dev/null || return 0
  for _ in $(seq 50); do group_alive "$1" || return 0; sleep 0.1; done
  kill -KILL -- "-$1" 2>/dev/null || true
}
if [[ -f "$pids_file" ]]; then
  for group in $(cat "$pids_file"); do stop_group "$group"; done
  rm -f "$pids_file"
fi

worker=""; web=""
cleanup() {
  trap - EXIT INT TERM
  for group in $web $worker; do stop_group "$group"; done
  rm -f "$pids_file"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

setsid .venv/bin/python manage.py db_worker &
worker=$!
setsid .venv/bin/python manage.py runserver "${host}:${port}" &
web=$!
echo "$worker $web" >"$pids_file"
set +e
wait "$web"
status=$?
set -e
exit "$status"
