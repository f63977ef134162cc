# shellcheck shell=bash
# Functions that give CI a real Docker engine on a machine that has none running and no image
# registry in reach (see ../shared/notes/environment.md). Source this file, then:
#
#   docker_up      install docker.io if missing, start dockerd, import the base image, export
#                  DOCKER_HOST and DUEL_DOCKER_BASE_IMAGE
#   docker_down    stop the dockerd that docker_up started, by its PID
#
# DUEL_DOCKER_DIR (default $TMPDIR/duel-docker) holds the engine's data root, socket and pidfile;
# DUEL_DOCKER_CACHE (default ~/.cache/automl-duel/docker) keeps the debootstrap root file system so
# that a re-run imports it in seconds instead of bootstrapping it again.

DUEL_DOCKER_DIR="${DUEL_DOCKER_DIR:-${TMPDIR:-/tmp}/duel-docker}"
DUEL_DOCKER_CACHE="${DUEL_DOCKER_CACHE:-${HOME}/.cache/automl-duel/docker}"
DUEL_DOCKER_BASE="${DUEL_DOCKER_BASE:-automl-duel/debian:bookworm}"

docker_install() {
    if command -v dockerd >/dev/null && command -v debootstrap >/dev/null; then
        return 0
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io debootstrap
}

docker_start() {
    local sock="${DUEL_DOCKER_DIR}/docker.sock" pidfile="${DUEL_DOCKER_DIR}/docker.pid"
    export DOCKER_HOST="unix://${sock}"
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && docker info >/dev/null 2>&1; then
        return 0
    fi
    mkdir -p "${DUEL_DOCKER_DIR}/data" "${DUEL_DOCKER_DIR}/exec"
    # No iptables here: the default bridge still publishes -p 127.0.0.1:PORT:PORT on loopback.
    dockerd --iptables=false --ip6tables=false --storage-driver=overlay2 \
        --data-root "${DUEL_DOCKER_DIR}/data" --exec-root "${DUEL_DOCKER_DIR}/exec" \
        --host "unix://${sock}" --pidfile "$pidfile" >"${DUEL_DOCKER_DIR}/dockerd.log" 2>&1 &
    local _
    for _ in $(seq 1 60); do
        docker info >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    echo "dockerd did not start; see ${DUEL_DOCKER_DIR}/dockerd.log" >&2
    return 1
}

_debian_mirror() {
    local uri
    uri="$(grep -hsoE '^URIs: *\S+' /etc/apt/sources.list.d/*.sources | head -1 | awk '{print $2}')"
    [ -n "$uri" ] || uri="$(grep -hsoE '^deb +\S+' /etc/apt/sources.list | head -1 | awk '{print $2}')"
    echo "${uri:-http://deb.debian.org/debian}"
}

docker_base_image() {
    export DUEL_DOCKER_BASE_IMAGE="${DUEL_DOCKER_BASE}"
    docker image inspect "${DUEL_DOCKER_BASE}" >/dev/null 2>&1 && return 0
    local tarball="${DUEL_DOCKER_CACHE}/bookworm-rootfs.tar"
    if [ ! -s "$tarball" ]; then
        local root
        root="$(mktemp -d)"
        mkdir -p "${DUEL_DOCKER_CACHE}"
        debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
            bookworm "$root" "$(_debian_mirror)" >"${DUEL_DOCKER_CACHE}/debootstrap.log" 2>&1 \
            || { echo "debootstrap failed; see ${DUEL_DOCKER_CACHE}/debootstrap.log" >&2; rm -rf "$root"; return 1; }
        tar -C "$root" -cf "${tarball}.part" . && mv "${tarball}.part" "$tarball"
        rm -rf "$root"
    fi
    docker import "$tarball" "${DUEL_DOCKER_BASE}" >/dev/null
}

docker_up() {
    docker_install && docker_start && docker_base_image
}

docker_down() {
    local pidfile="${DUEL_DOCKER_DIR}/docker.pid" pid
    [ -f "$pidfile" ] || return 0
    pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null || return 0
    local _
    for _ in $(seq 1 40); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.25
    done
    kill -9 "$pid" 2>/dev/null || true
}
