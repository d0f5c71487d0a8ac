#!/usr/bin/env bash
# Make sure the services the project needs are running on this machine:
# PostgreSQL (5432) and Redis (6379) as the machine has them, and the
# project's own Mosquitto on IOC_BROKER_PORT (default 1884) with
# deploy/mosquitto.conf.in (anonymous, loopback only: development and tests; persistent
# sessions with a deep queue, bounded packets, TCP_NODELAY).  Production brokers use the
# configuration `ioc broker render` generates (SECURITY.md).
# Installs the Debian packages first when they are missing and we are root.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
port="${IOC_BROKER_PORT:-1884}"
data="${IOC_BROKER_DIR:-$here/var/mosquitto}"

need=()
command -v pg_ctlcluster >/dev/null || need+=(postgresql)
command -v redis-server >/dev/null || need+=(redis-server)
command -v mosquitto >/dev/null || need+=(mosquitto)
if ((${#need[@]})); then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
        echo "missing: ${need[*]} (install them, or run as root)" >&2; exit 1
    fi
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    version="$(ls /etc/postgresql | sort -V | tail -n1)"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no
    for _ in $(seq 30); do redis-cli ping >/dev/null 2>&1 && break; sleep 0.2; done
fi

if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    mkdir -p "$data"
    sed -e "s#@DATA_DIR@#$data#g" -e "s#@PORT@#$port#g" "$here/deploy/mosquitto.conf.in" > "$data/mosquitto.conf"
    # mosquitto drops root privileges to the 'mosquitto' user when it exists.
    if id mosquitto >/dev/null 2>&1; then chown -R mosquitto "$data" 2>/dev/null || true; fi
    mosquitto -d -c "$data/mosquitto.conf"
    for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
fi
pg_isready -q -h 127.0.0.1 -p 5432 && redis-cli ping >/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null \
    && echo "services up: postgresql :5432, redis :6379, mosquitto :$port"
