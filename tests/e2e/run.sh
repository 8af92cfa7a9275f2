#!/usr/bin/env bash
# End-to-end run: builds a real python 3.13.5 slim-bookworm image from the module's generated Dockerfile, with the
# sources served from a loopback mirror, and runs the official image tests on it.
#
#   bash tests/e2e/run.sh             # the real build (PGO + LTO: tens of minutes on 2 cores), then Test-PythonImage -Offline
#   bash tests/e2e/run.sh --corrupt   # the mirror serves the tarball with one byte changed: the build must fail at the checksum
#   bash tests/e2e/run.sh --generate-only  # only Get-PythonTag | New-PythonDockerfile as the run does it (no engine, no mirror)
#
# The loopback mirror and key server are plain HTTP/HKP, so New-PythonDockerfile gets -AllowInsecureSource (one warning
# per image; the sha256 and PGP checks stay in the Dockerfile).
#
# Environment: PYTHONIMAGES_E2E_CACHE (downloads, default ~/.cache/pythonimages-e2e), PYTHONIMAGES_E2E_WORK
# (generated files and logs, default /tmp/pythonimages-e2e), PYTHONIMAGES_E2E_PORT (mirror port, default 8613, 8614 with
# --corrupt; a fixed port keeps the Dockerfile text, and so docker's layer cache, stable between runs), DOCKER_HOST.
# Exit code: 0 when everything passed, non-zero on any failure.
set -Eeuo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${PYTHONIMAGES_E2E_CACHE:-$HOME/.cache/pythonimages-e2e}"
work="${PYTHONIMAGES_E2E_WORK:-${TMPDIR:-/tmp}/pythonimages-e2e}"
port="${PYTHONIMAGES_E2E_PORT:-}"
base_image='debian:bookworm-slim'
corrupt=
generate_only=

for arg; do
	case "$arg" in
		--corrupt) corrupt=1 ;;
		--generate-only) generate_only=1 ;;
		-h | --help) sed -n '2,17p' "$0"; exit 0 ;;
		*) echo >&2 "run.sh: unknown argument '$arg' (try --help)"; exit 2 ;;
	esac
done

say() { printf '\n==> %s\n' "$*" >&2; }

mode=good
[ -z "$corrupt" ] || mode=corrupt
# The corrupted run uses another port: its RUN text then differs from the good build's, so docker's cache can never
# answer it with the good build's layer (and a failed step is never cached, so no -NoCache is needed).
[ -n "$port" ] || { [ -z "$corrupt" ] && port=8613 || port=8614; }
mkdir -p "$cache" "$work/$mode"

if [ -n "$generate_only" ]; then
	say "building the module and the end-to-end host"
	dotnet build "$repo/tests/PythonImages.EndToEnd" -nologo -v q -clp:ErrorsOnly
	say "Get-PythonTag | New-PythonDockerfile (generation only)"
	exec dotnet "$repo/tests/PythonImages.EndToEnd/bin/Debug/net10.0/PythonImages.EndToEnd.dll" \
		--matrix "$repo/tests/e2e/matrix-3.13.5.yaml" \
		--mirror "http://127.0.0.1:$port/" \
		--keyserver "hkp://127.0.0.1:$port" \
		--work "$work/generate" \
		--generate-only
fi

# 1. a Docker engine and the base image ------------------------------------------------------------------------
say "Docker engine"
if ! docker info > /dev/null 2>&1; then
	if ! command -v dockerd > /dev/null; then
		say "installing docker.io"
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io
	fi
	say "starting dockerd (log: $cache/dockerd.log)"
	nohup dockerd --storage-driver=vfs --iptables=false --ip-masq=false --bridge=none > "$cache/dockerd.log" 2>&1 &
	for _ in $(seq 60); do docker info > /dev/null 2>&1 && break; sleep 1; done
	docker info > /dev/null 2>&1 || { echo >&2 "run.sh: dockerd did not come up; see $cache/dockerd.log"; exit 1; }
fi
docker version --format 'engine {{.Server.Version}} (API {{.Server.APIVersion}})' >&2

if ! docker image inspect "$base_image" > /dev/null 2>&1; then
	say "creating $base_image (debootstrap + docker import)"
	command -v debootstrap > /dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; }
	rootfs="$cache/rootfs-bookworm"
	rm -rf "$rootfs"
	debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian
	# Apt settings Debian's own docker images carry: without them the Dockerfile's purge keeps every build
	# dependency that something suggests (gcc, binutils, gnupg...) and downloaded .debs stay in the image.
	cat > "$rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests" <<-'EOF'
		Apt::AutoRemove::SuggestsImportant "false";
	EOF
	cat > "$rootfs/etc/apt/apt.conf.d/docker-clean" <<-'EOF'
		DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
		APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
		Dir::Cache::pkgcache "";
		Dir::Cache::srcpkgcache "";
	EOF
	chroot "$rootfs" apt-get clean
	rm -rf "$rootfs"/var/lib/apt/lists/*
	tar -C "$rootfs" -c . | docker import - "$base_image"
	rm -rf "$rootfs"
fi

# 2. the loopback mirror: tarball + signature laid out as python.org does, and an HKP endpoint with the key -------
say "mirror ($mode)"
mirror_root="$work/$mode/mirror"
keys="$work/$mode/keys"
python3 "$repo/tests/e2e/prepare.py" --cache "$cache" --mirror "$mirror_root" --keys "$keys" ${corrupt:+--corrupt}

port_file="$work/$mode/mirror.port"
rm -f "$port_file"
python3 "$repo/tests/e2e/mirror.py" --root "$mirror_root" --keys "$keys" --port "$port" --port-file "$port_file" 2> "$work/$mode/mirror.log" &
mirror_pid=$!
trap 'kill "$mirror_pid" 2> /dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$port_file" ] && break; kill -0 "$mirror_pid" 2> /dev/null || break; sleep 0.1; done
[ -s "$port_file" ] || { cat >&2 "$work/$mode/mirror.log"; echo >&2 "run.sh: the mirror did not start (is port $port taken? set PYTHONIMAGES_E2E_PORT)"; exit 1; }
base="http://127.0.0.1:$(cat "$port_file")"
curl -fsS -o /dev/null "$base/3.13.5/Python-3.13.5.tar.xz.asc"
curl -fsS -o /dev/null "$base/pks/lookup?op=get&options=mr&search=0x7169605F62C751356D054A26A821E680E5FA6305"
echo "mirror: $base/ (log: $work/$mode/mirror.log)" >&2

# 3./4. the pipeline in a hosted PowerShell runspace; prints the results, the image size and the build time ------------
say "building the module and the end-to-end host"
dotnet build "$repo/tests/PythonImages.EndToEnd" -nologo -v q -clp:ErrorsOnly

say "Get-PythonTag | New-PythonDockerfile | Invoke-PythonImageBuild | Test-PythonImage"
set +e
dotnet "$repo/tests/PythonImages.EndToEnd/bin/Debug/net10.0/PythonImages.EndToEnd.dll" \
	--matrix "$repo/tests/e2e/matrix-3.13.5.yaml" \
	--mirror "$base/" \
	--keyserver "hkp://127.0.0.1:$(cat "$port_file")" \
	--work "$work/$mode" \
	${corrupt:+--corrupt}
rc=$?
set -e
exit "$rc"
